import { readFileSync } from 'node:fs';
import { redactAlertWebhooks } from '../alerts/webhooks/webhook-config.ts';
import { extname, isAbsolute, resolve, dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type * as z from 'zod';
import { ConfigSchema, type Config } from './schema.ts';
import { assertPrivateFile } from '../security/secret-files.ts';

/** A config that cannot be used; `problems` lists each as "path: reason". Start-up stops on it. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Overrides from the command line; each wins over the environment and the file. */
export interface ConfigOverrides {
  dataDir?: string | undefined;
  mqttPort?: number | undefined;
  /** The MQTT over TLS port (mqtt.tls.port). */
  mqttsPort?: number | undefined;
  httpPort?: number | undefined;
  httpHost?: string | undefined;
  logLevel?: string | undefined;
}

/** Environment variables an operator (or systemd unit) may set, and the config path each overrides. */
const ENV_OVERRIDES: readonly { name: string; path: readonly string[]; type: 'string' | 'port' }[] = [
  { name: 'LINLI_DATA_DIR', path: ['dataDir'], type: 'string' },
  { name: 'LINLI_MQTT_PORT', path: ['mqtt', 'port'], type: 'port' },
  { name: 'LINLI_MQTT_HOST', path: ['mqtt', 'host'], type: 'string' },
  { name: 'LINLI_MQTTS_PORT', path: ['mqtt', 'tls', 'port'], type: 'port' },
  { name: 'LINLI_HTTP_PORT', path: ['http', 'port'], type: 'port' },
  { name: 'LINLI_HTTP_HOST', path: ['http', 'host'], type: 'string' },
  { name: 'LINLI_LOG_LEVEL', path: ['log', 'level'], type: 'string' },
  { name: 'LINLI_GATEWAY_ID', path: ['gateway', 'id'], type: 'string' },
];

type Obj = Record<string, unknown>;

function setPath(target: Obj, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Obj;
  }
  node[path[path.length - 1] as string] = value;
}

function readFile(file: string): Obj {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  let parsed: unknown;
  try {
    parsed = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(file, [
      `not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
    ]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(file, ['(root): expected a mapping of options']);
  return parsed as Obj;
}

/**
 * Builds the one frozen config: defaults < file < environment < command line. Relative paths in the
 * file are resolved against the file's folder, so a unit file can be started from anywhere.
 */
export function loadConfig(
  opts: { file?: string | undefined; env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides } = {},
): Config {
  const env = opts.env ?? process.env;
  const raw: Obj = opts.file ? readFile(opts.file) : {};
  // before the overrides below write into raw: a default dataDir must stay relative to the working directory
  const fileSetsDataDir = typeof raw.dataDir === 'string';
  const source = opts.file ?? 'defaults';
  const problems: string[] = [];
  for (const o of ENV_OVERRIDES) {
    const v = env[o.name];
    if (v === undefined || v === '') continue;
    if (o.type === 'port') {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n > 65535) problems.push(`${o.name}: expected a port number 0-65535, got "${v}"`);
      else setPath(raw, o.path, n);
    } else setPath(raw, o.path, v);
  }
  const ov = opts.overrides ?? {};
  if (ov.dataDir !== undefined) setPath(raw, ['dataDir'], ov.dataDir);
  if (ov.mqttPort !== undefined) setPath(raw, ['mqtt', 'port'], ov.mqttPort);
  if (ov.mqttsPort !== undefined) setPath(raw, ['mqtt', 'tls', 'port'], ov.mqttsPort);
  if (ov.httpPort !== undefined) setPath(raw, ['http', 'port'], ov.httpPort);
  if (ov.httpHost !== undefined) setPath(raw, ['http', 'host'], ov.httpHost);
  if (ov.logLevel !== undefined) setPath(raw, ['log', 'level'], ov.logLevel);
  if (problems.length > 0) throw new ConfigError(source, problems);

  // parsed once per process: the code zod generates for a faster object check would cost more than it saves
  const result = ConfigSchema.safeParse(raw, { jitless: true });
  if (!result.success) throw new ConfigError(source, formatConfigIssues(result.error));
  // a copy: zod hands out its default objects by reference, and freezing those would freeze them for every later parse
  const config = structuredClone(result.data);
  if (opts.file && fileSetsDataDir && !isAbsolute(config.dataDir) && ov.dataDir === undefined && !env.LINLI_DATA_DIR) {
    config.dataDir = resolve(dirname(opts.file), config.dataDir);
  }
  if (opts.file) {
    const base = dirname(opts.file);
    const absolute = <K extends string>(o: Partial<Record<K, string>>, keys: readonly K[]) => {
      for (const k of keys) {
        const v = o[k];
        if (v && !isAbsolute(v)) o[k] = resolve(base, v);
      }
    };
    absolute(config.mqtt.tls, ['certFile', 'keyFile', 'caFile']);
    absolute(config.cloud, ['passwordFile', 'caFile', 'certFile', 'keyFile', 'cardFingerprintKeyFile']);
    const sc = config.redemption.secureCards;
    if (sc) absolute(sc, ['sdmMetaReadKeyFile', 'fileReadMasterKeyFile']);
    // keys written into the config itself make the config a key file
    if (sc?.sdmMetaReadKey !== undefined || sc?.fileReadMasterKey !== undefined) {
      try {
        assertPrivateFile(opts.file, 'the configuration, with redemption.secureCards keys inline');
      } catch (err) {
        throw new ConfigError(opts.file, [
          `redemption.secureCards: ${(err as Error).message}; ` +
            'better, move the keys to sdmMetaReadKeyFile and fileReadMasterKeyFile',
        ]);
      }
    }
  }
  return deepFreeze(config);
}

/** A copy of the config safe to print: keys and password hashes replaced. */
export function redactConfig(c: Config): unknown {
  return JSON.parse(
    JSON.stringify(
      { ...c, alerts: { ...c.alerts, webhooks: redactAlertWebhooks(c.alerts.webhooks) } },
      (k, v: unknown) => (['sdmMetaReadKey', 'fileReadMasterKey', 'passwordHash'].includes(k) ? '[redacted]' : v),
    ),
  );
}

/** `mqtt.lockout.maxFailures: expected number, received string` — the exact path and reason. */
export function formatConfigIssues(error: z.ZodError): string[] {
  return error.issues.map(formatIssue);
}

/** `members[3].benefits[0].campaignId: unknown campaign "x"`: a problem named by its exact path. */
export function formatIssue(i: { path: readonly PropertyKey[]; message: string }): string {
  const path = i.path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
  return `${path || '(root)'}: ${i.message}`;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
