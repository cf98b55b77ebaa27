import * as z from 'zod';
import { DeviceKindSchema, type DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { silentLogger, type Logger } from '../../gateway/core/log.ts';
import { seededRng } from './prng.ts';
import { runScenario, type Residents, type ScenarioName } from './scenarios.ts';
import { SimDevice } from './sim-device.ts';
import { KIND_MODULES } from '../../devices/registry.ts';

/**
 * How many simulated devices of each kind, by the kind's option name (`lockers`, `vending`, `piles`, ...); absent = 0.
 */
export type SimFleetPlan = Readonly<Record<string, number | undefined>>;

export const SimCredentialsSchema = z.array(
  z.object({ id: z.string().min(1), kind: DeviceKindSchema, secret: z.string().min(1) }).strict(),
);
export type SimCredential = z.infer<typeof SimCredentialsSchema>[number];

/**
 * The id prefix of every device a simulator creates on a gateway (`linli sim`, `linli demo`), with a
 * mark at the end of its name (see claim.ts): so it can tell its own devices from real ones.
 */
export const SIM_ID_PREFIX = 'sim-';

/** Stable ids for a plan: locker-01.., vm-01.., door-01.., scanner-01.. (after `prefix`). */
export function fleetIds(plan: SimFleetPlan, prefix = ''): { id: string; kind: DeviceKind; merchantId?: string }[] {
  return KIND_MODULES.flatMap((m) =>
    Array.from({ length: plan[m.sim.option] ?? 0 }, (_, i) => ({
      id: `${prefix}${m.sim.prefix}-${String(i + 1).padStart(2, '0')}`,
      kind: m.wire.kind as DeviceKind,
      ...(m.sim.merchant ? { merchantId: m.sim.merchant(i) } : {}),
    })),
  );
}

/** Many simulated devices at once, each with its own credentials. */
export class SimFleet {
  readonly devices: SimDevice[];
  private readonly stoppers: (() => void)[] = [];
  private readonly log: Logger;

  constructor(opts: {
    url: string;
    credentials: SimCredential[];
    log?: Logger;
    heartbeatS?: number;
    telemetryEveryS?: number;
    tls?: { ca?: string | Buffer };
  }) {
    this.log = opts.log ?? silentLogger();
    const perKind = new Map<DeviceKind, number>();
    this.devices = opts.credentials.map((c) => {
      const index = perKind.get(c.kind) ?? 0;
      perKind.set(c.kind, index + 1);
      return new SimDevice({
        url: opts.url,
        id: c.id,
        kind: c.kind,
        secret: c.secret,
        index,
        log: this.log,
        ...(opts.heartbeatS ? { heartbeatS: opts.heartbeatS } : {}),
        ...(opts.telemetryEveryS ? { telemetryEveryS: opts.telemetryEveryS } : {}),
        ...(opts.tls ? { tls: opts.tls } : {}),
      });
    });
  }

  /**
   * Starts every device; resolves when all have sent their birth. Connects a few at a time, like a real
   * power-up. `failFast`: reject at the first device the broker cannot be reached for (else it retries).
   */
  async start(opts: { failFast?: boolean } = {}): Promise<void> {
    const queue = [...this.devices];
    const workers = Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) await d.start(opts);
    });
    await Promise.all(workers);
  }

  get(id: string): SimDevice | undefined {
    return this.devices.find((d) => d.id === id);
  }

  /**
   * Scenarios run side by side (e.g. faults and shopping) until stop(). `residents`: members and the cards they tap.
   */
  runScenario(name: string, opts: { seed?: number; intervalMs?: number; residents?: Residents } = {}): void {
    this.stoppers.push(
      runScenario(
        name as ScenarioName,
        this.devices,
        seededRng(opts.seed ?? 42),
        this.log,
        opts.intervalMs,
        opts.residents,
      ),
    );
  }

  /** Stops every running scenario; the devices stay connected. */
  stopScenarios(): void {
    for (const stop of this.stoppers.splice(0)) stop();
  }

  /** Resolves when every flow started on any device (by a scenario or a test) has ended. */
  async idle(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.idle()));
  }

  async stop(): Promise<void> {
    this.stopScenarios();
    await Promise.all(this.devices.map((d) => d.stop({ graceful: true })));
  }
}
