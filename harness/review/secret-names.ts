/**
 * Whether a setting's name says it holds a credential. Names are compared without case or separators, so
 * `redisPassword`, `REDIS_PASSWORD` and `redis-password` read alike.
 */
const SECRET_WORDS =
  /(password|authorization|passwd|pwd|secret|token|credential|connectionstring|apikey|accesskey|accountkey|masterkey|privatekey|signingkey|sharedkey|saskey|clientkey|authkey|^key$)/;
/** Names that mention a secret but hold a reference, a location or a setting about it. */
const NOT_A_SECRET =
  /(secretkeyref|secretstore|secretname|keyname|keyid|keyprefix|routingkey|partitionkey|tokenurl|tokenuri|tokenendpoint|tokenaudience|tokenexpiry|file|path|dir|ttl|timeout|interval|enabled|enable|type|mode|length|size|count|header)$/;

export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_WORDS.test(n) && !NOT_A_SECRET.test(n);
}

/** A URL with a password in it (`scheme://user:password@host`), whatever the setting is called. */
export function hasUrlCredentials(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i.test(value.trim());
}
