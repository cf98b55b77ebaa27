import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type ConfigOverrides } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { Store } from '../store/store.ts';

export interface CommonOptions {
  config?: string;
  data?: string;
  json?: boolean;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError('expected a port number 0-65535 (0 = pick a free one)');
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
export async function withStore<T>(
  opts: CommonOptions,
  fn: (store: Store, config: Config) => Promise<T> | T,
): Promise<T> {
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
