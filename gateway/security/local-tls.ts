import { hostname, networkInterfaces } from 'node:os';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { Part } from '../parts/part.ts';
import { CA_WARN_DAYS, caFingerprint, ensureLocalTls, type LocalTlsState } from './local-ca.ts';
import { serverNames, type HostIdentity } from './server-names.ts';

const DAY_MS = 86_400_000;

export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

const systemHost: HostIdentity = { hostname, networkInterfaces };

/**
 * The broker's certificate when the config names none: the gateway's own local CA and a server
 * certificate it issued, checked at start and then daily on the injected clock. A renewed certificate is
 * handed to the running TLS server (new handshakes get it; open connections keep theirs).
 */
export class LocalTls {
  private state: LocalTlsState | undefined;
  private stopTimer: (() => void) | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly o: {
      config: Pick<Config, 'dataDir' | 'gateway' | 'mqtt'>;
      clock: Clock;
      log: Logger;
      host?: HostIdentity;
    },
  ) {}

  /** Only when TLS is on and the config names no certificate of its own. */
  static forConfig(config: Config, clock: Clock, log: Logger, host?: HostIdentity): LocalTls | undefined {
    const t = config.mqtt.tls;
    if (!t.enabled || t.certFile) return undefined;
    return new LocalTls({ config, clock, log: log.child({ component: 'tls' }), ...(host ? { host } : {}) });
  }

  /** What the TLS server serves; only after the first check (the part's start). */
  credentials(): TlsCredentials {
    if (!this.state) throw new Error('the local certificate is not ready: the tls part has not started');
    return { cert: this.state.cert, key: this.state.key };
  }

  get current(): LocalTlsState | undefined {
    return this.state;
  }

  /** The check in progress (a daily one the clock started), for tests and stop(). */
  settled(): Promise<void> {
    return this.checking ?? Promise.resolve();
  }

  /** Checks the files, issuing what is due; `apply` gets a new server certificate to serve. */
  async check(apply?: (c: TlsCredentials) => void): Promise<LocalTlsState> {
    const { config, clock, log } = this.o;
    const now = clock.now();
    const before = this.state;
    const state = await ensureLocalTls({
      dataDir: config.dataDir,
      gatewayId: config.gateway.id,
      now,
      names: serverNames(this.o.host ?? systemHost, config.mqtt.tls.advertisedHosts),
      renewBeforeDays: config.mqtt.tls.renewBeforeDays,
    });
    this.state = state;
    const days = (t: number) => Math.floor((t - now) / DAY_MS);
    const { issued } = state;
    if (issued.ca === 'missing') {
      log.info({ caFile: state.paths.caCert, fingerprint: caFingerprint(state.ca) }, 'local CA created');
    } else if (issued.ca) {
      log.error(
        { caFile: state.paths.caCert, why: issued.ca, fingerprint: caFingerprint(state.ca) },
        'local CA replaced: devices that trust the old one refuse the broker until given the new one (linli provision)',
      );
    } else if (days(state.caNotAfter) < CA_WARN_DAYS) {
      log.warn(
        { caNotAfter: new Date(state.caNotAfter).toISOString(), daysLeft: days(state.caNotAfter) },
        'the local CA expires within a year: plan to give the devices its successor (linli provision)',
      );
    }
    if (issued.server) {
      log.info(
        {
          why: issued.server,
          notAfter: new Date(state.serverNotAfter).toISOString(),
          ...(state.uncovered.length > 0 ? { added: state.uncovered } : {}),
        },
        before ? 'MQTT server certificate renewed; new connections get it' : 'MQTT server certificate issued',
      );
      if (before) apply?.({ cert: state.cert, key: state.key });
    }
    return state;
  }

  /** Checks before the broker starts (which serves the result), then daily; `apply` swaps a renewed certificate. */
  part(apply: (c: TlsCredentials) => void): Part {
    return {
      name: 'tls certificate',
      start: async () => {
        await this.check();
        this.stopTimer = this.o.clock.every(DAY_MS, () => {
          if (this.checking) return;
          this.checking = this.check(apply)
            .then(() => undefined)
            .catch((err: unknown) => this.o.log.error({ err }, 'the MQTT server certificate could not be renewed'))
            .finally(() => {
              this.checking = undefined;
            });
        });
      },
      stop: async () => {
        this.stopTimer?.();
        await this.settled();
      },
    };
  }
}
