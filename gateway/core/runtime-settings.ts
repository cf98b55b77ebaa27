import type { Config } from '../config/schema.ts';

/** What the cloud's `config` document may change while the gateway runs [cloud settings]. */
interface SettingsChange {
  lowTrust?: { perTxnFen: number; perDayFen: number } | undefined;
  hotlistMaxAgeH?: number | undefined;
}

/**
 * Settings that change at run time. They start from the configuration file, which is validated once
 * and frozen, and are kept apart from it: a value the cloud sent is never written into the config
 * (which would throw, and make every later start fail), and it survives a restart because the cloud
 * document that carried it is stored and applied again at start.
 */
export class RuntimeSettings {
  lowTrust: { perTxnFen: number; perDayFen: number };
  hotlistMaxAgeH: number;

  constructor(config: Pick<Config, 'redemption' | 'cloud'>) {
    this.lowTrust = { ...config.redemption.lowTrust };
    this.hotlistMaxAgeH = config.cloud.hotlistMaxAgeH;
  }

  apply(change: SettingsChange): void {
    if (change.lowTrust) this.lowTrust = { ...change.lowTrust };
    if (change.hotlistMaxAgeH !== undefined) this.hotlistMaxAgeH = change.hotlistMaxAgeH;
  }
}
