import type { RequestHandler } from 'express';
import { sendError } from '../http-errors';

/**
 * Fault controls break the service on purpose, so only a caller on this machine (the harness, or the app's own
 * sidecar relaying an invocation) or one holding FAULT_CONTROL_TOKEN may use them.
 */
export function controlAllowed(
  remoteAddress: string | undefined,
  presentedToken: string | undefined,
  requiredToken: string | undefined,
): boolean {
  if (isLoopback(remoteAddress)) return true;
  return requiredToken !== undefined && requiredToken !== '' && presentedToken === requiredToken;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

export function requireControlAccess(requiredToken: () => string | undefined = () => process.env.FAULT_CONTROL_TOKEN): RequestHandler {
  return (req, res, next) => {
    const presented = req.get('x-control-token');
    if (controlAllowed(req.socket.remoteAddress, presented, requiredToken())) {
      next();
      return;
    }
    sendError(
      res,
      403,
      'fault controls are only open to loopback callers',
      'call from the same host, or send header x-control-token with the value of FAULT_CONTROL_TOKEN',
    );
  };
}
