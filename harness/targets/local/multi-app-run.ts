import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { usageError } from '../../errors/harness-error';

/** One app of a Multi-App Run file, with every path made absolute. */
export interface RunApp {
  appId: string;
  appDir: string;
  /** Port from the file; the local target allocates its own and passes it as APP_PORT. */
  declaredAppPort?: number;
  command: string[];
  env: Record<string, string>;
  resourcesPaths: string[];
  configFile?: string;
  appProtocol: string;
  appHealthCheckPath?: string;
  logLevel: string;
  /**
   * How many instances of this app (each with its own daprd, same app id) the local target starts.
   * Not part of Dapr's format (`dapr run -f` ignores it and starts one); it lets a run show that instances of
   * one app id share state and that invocation reaches any of them.
   */
  replicas: number;
}

export interface RunTemplate {
  file: string;
  apps: RunApp[];
}

type Raw = Record<string, unknown>;

/**
 * Reads Dapr's Multi-App Run format (`dapr run -f`): `version: 1`, optional `common`, `apps`.
 * Relative paths under `common` resolve against the file's folder; those of an app against its appDirPath,
 * as the Dapr CLI does.
 */
export function readRunTemplate(file: string): RunTemplate {
  const abs = resolve(file);
  if (!existsSync(abs)) {
    throw usageError('RUN_FILE_MISSING', `Multi-App Run file ${file} does not exist`, 'pass --run-file with the path of a dapr.yaml');
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(abs, 'utf8'));
  } catch (err) {
    const line = err instanceof YAMLParseError && err.linePos ? `:${err.linePos[0].line}` : '';
    throw usageError('RUN_FILE_INVALID', `${file}${line} is not valid YAML (${firstLine(err)})`, 'fix the YAML syntax at that line');
  }
  const bad = (what: string): never => {
    throw usageError(
      'RUN_FILE_INVALID',
      `${file}: ${what}`,
      'see the Multi-App Run template format: version, common, apps[].appID/appDirPath/command',
    );
  };
  if (!isObject(doc)) return bad('expected a mapping at the top level');
  if (doc.version !== 1) bad('`version: 1` is required');
  const common = doc.common === undefined ? {} : doc.common;
  if (!isObject(common)) return bad('`common` must be a mapping');
  if (!Array.isArray(doc.apps) || doc.apps.length === 0) return bad('`apps` must list at least one app');
  const baseDir = dirname(abs);
  const commonResources = pathsOf(common, baseDir);
  const commonConfig = typeof common.configFilePath === 'string' ? resolve(baseDir, common.configFilePath) : undefined;
  const commonEnv = envOf(common.env, `${file}: common.env`);
  const seen = new Set<string>();

  const apps = doc.apps.map((rawApp: unknown, i: number): RunApp => {
    const where = `apps[${i}]`;
    if (!isObject(rawApp)) return bad(`${where} must be a mapping`);
    const appId = rawApp.appID;
    if (typeof appId !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(appId)) {
      return bad(`${where}.appID must be a lowercase DNS label (got ${JSON.stringify(appId)})`);
    }
    if (seen.has(appId)) bad(`${where}.appID ${appId} appears twice`);
    seen.add(appId);
    if (typeof rawApp.appDirPath !== 'string') return bad(`${where}.appDirPath is required`);
    const appDir = resolve(baseDir, rawApp.appDirPath);
    if (!existsSync(appDir) || !statSync(appDir).isDirectory()) bad(`${where}.appDirPath ${rawApp.appDirPath} is not a directory`);
    const command = rawApp.command;
    if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === 'string')) {
      return bad(`${where}.command must be a non-empty list of strings`);
    }
    const ownResources = pathsOf(rawApp, appDir);
    const resourcesPaths = ownResources.length > 0 ? ownResources : commonResources;
    for (const p of resourcesPaths) if (!existsSync(p)) bad(`${where}: resources path ${p} does not exist`);
    const configFile = typeof rawApp.configFilePath === 'string' ? resolve(appDir, rawApp.configFilePath) : commonConfig;
    if (configFile && !existsSync(configFile)) bad(`${where}: configFilePath ${configFile} does not exist`);
    const port = rawApp.appPort;
    if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) {
      bad(`${where}.appPort must be a port number`);
    }
    const replicas = rawApp.replicas ?? 1;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 1 || replicas > 10)
      bad(`${where}.replicas must be a whole number from 1 to 10`);
    return {
      appId,
      appDir,
      replicas: replicas as number,
      declaredAppPort: port as number | undefined,
      command: command as string[],
      env: { ...commonEnv, ...envOf(rawApp.env, `${file}: ${where}.env`) },
      resourcesPaths,
      configFile,
      appProtocol: stringOr(rawApp.appProtocol, stringOr(common.appProtocol, 'http')),
      appHealthCheckPath: typeof rawApp.appHealthCheckPath === 'string' ? rawApp.appHealthCheckPath : undefined,
      logLevel: stringOr(rawApp.logLevel, stringOr(common.logLevel, 'info')),
    };
  });
  return { file: abs, apps };
}

function pathsOf(section: Raw, base: string): string[] {
  const out: string[] = [];
  const add = (p: unknown): void => {
    if (typeof p === 'string')
      p.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .forEach((s) => out.push(isAbsolute(s) ? s : resolve(base, s)));
  };
  if (Array.isArray(section.resourcesPaths)) section.resourcesPaths.forEach(add);
  else add(section.resourcesPaths);
  if (out.length === 0) add(section.resourcesPath);
  return out;
}

function envOf(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw usageError('RUN_FILE_INVALID', `${where} must be a mapping of names to values`, 'write env as NAME: value');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringOr(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : fallback;
}

export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
