import { InvalidArgumentError, type Command } from 'commander';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import { ConfigError, loadConfig, type ConfigOverrides } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { Store } from '../store/store.ts';

export interface CommonOptions {
  config?: string;
  data?: string;
  json?: boolean;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535 (0 = pick a free one)');
  return n;
}

/** Adds the options every command that touches the data folder takes. */
export function withDataOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file (YAML or JSON); env LINLI_CONFIG')
    .option('-d, --data <dir>', 'data folder holding linli.db (default ./data); env LINLI_DATA_DIR')
    .option('--json', 'print machine-readable JSON');
}

export function configFrom(opts: CommonOptions, overrides: ConfigOverrides = {}): Config {
  return loadConfig({ file: opts.config ?? process.env.LINLI_CONFIG, overrides: { dataDir: opts.data, ...overrides } });
}

/** Runs `fn` with the gateway's database open, closing it whatever happens. */
export async function withStore<T>(opts: CommonOptions, fn: (store: Store, config: Config) => Promise<T> | T): Promise<T> {
  const config = configFrom(opts);
  const store = new Store(config.dataDir, { historyPerDevice: config.health.historyPerDevice });
  try {
    return await fn(store, config);
  } finally {
    store.close();
  }
}

export function print(opts: CommonOptions, json: unknown, human: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(json)}\n` : `${human}\n`);
}

/** Turns known errors into one clear line and an exit code; anything else is a bug and shows its stack. */
export function reportError(err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`linli: ${err.message}\n`);
    return 2;
  }
  if (err instanceof LinliError) {
    process.stderr.write(`linli: ${err.code}: ${err.message}\n`);
    return 1;
  }
  if (err && typeof err === 'object' && 'issues' in err && Array.isArray((err as { issues: unknown[] }).issues)) {
    const issues = (err as { issues: { path: PropertyKey[]; message: string }[] }).issues;
    process.stderr.write(`linli: invalid input:\n${issues.map((i) => `  - ${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('\n')}\n`);
    return 2;
  }
  process.stderr.write(`linli: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}
