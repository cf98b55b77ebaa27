import { ConfigError } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { fail, type Finding, ok } from './finding.ts';

/**
 * The config as the gateway would load it. The other checks need it: when it cannot be loaded this is
 * the only finding, with the loader's own words (each problem by its path).
 */
export function checkConfig(
  load: () => Config,
  source: string | undefined,
): { config: Config; finding: Finding } | { config: undefined; finding: Finding } {
  try {
    const config = load();
    return {
      config,
      finding: ok(
        'config',
        source
          ? `${source} is valid (data folder ${config.dataDir})`
          : `no config file: defaults, data folder ${config.dataDir}`,
      ),
    };
  } catch (err) {
    const message =
      err instanceof ConfigError
        ? `${err.source}: ${err.problems.join('; ')}`
        : `cannot load the configuration: ${(err as Error).message}`;
    return {
      config: undefined,
      finding: fail('config', message, `fix it, then check with \`linli config check --config ${source ?? 'FILE'}\``),
    };
  }
}
