import type { BoxHardware } from '../../devices/box/box-hardware.ts';
import type { KindParts } from '../kinds/kind-parts.ts';
import type { CloudLink } from '../cloud/cloud-link.ts';
import type { OutboxPort } from '../cloud/outbox-port.ts';
import type { RolloutService } from '../cloud/rollouts.ts';
import { healthSummary } from '../health/health-summary.ts';
import type { Clock } from '../core/clock.ts';
import type { ClockHealth } from '../core/clock-health.ts';
import type { Logger } from '../core/log.ts';
import type { DeskReader } from '../flows/desk-reader.ts';
import type { DeviceMonitor } from '../health/device-monitor.ts';
import type { HealthSink } from '../health/health-sink.ts';
import type { UplinkRouter } from '../messaging/uplink-router.ts';
import type { RedemptionEngine } from '../redemption/wire.ts';
import type { RegistryWatcher } from '../registry/registry-watcher.ts';
import type { BatchWriter } from '../store/batch-writer.ts';
import type { Db } from '../store/db-type.ts';

/** What the once-a-second housekeeping looks after. */
export interface HousekeepingDeps {
  clock: Clock;
  log: Logger;
  db: Db;
  writer: BatchWriter;
  clockHealth: ClockHealth;
  watcher: RegistryWatcher;
  monitor: DeviceMonitor;
  health: HealthSink;
  router: UplinkRouter;
  rollouts: RolloutService;
  redemption: RedemptionEngine;
  kinds: KindParts;
  hardware: BoxHardware;
  desk: DeskReader;
  connections(): number;
  outbox: OutboxPort | undefined;
  /** The cloud link, once cloud sync started (undefined without a cloud). */
  cloud(): CloudLink | undefined;
  telemetryEveryS: number;
  /** When a kind last raised an alert (monotonic ms): the LED blinks a fault for a minute after. */
  lastAlertMono(): number;
}

/**
 * The gateway's once-a-second housekeeping: clock health, registry changes, device health, the
 * cloud's telemetry summary, rollouts, flow timeouts, hold expiry, resend memory and the box's LED.
 * `tick` resolves when its asynchronous parts are done; tests call it after moving a ManualClock.
 */
export class Housekeeping {
  private lastMarkMono = -Infinity;
  private lastSummaryMono = -Infinity;
  private lastPruneMono = -Infinity;
  /** [FWP-11.2] holds a device never captured are refunded; one sweep at a time. */
  private expiring: Promise<void> | undefined;

  constructor(private readonly d: HousekeepingDeps) {}

  tick(): Promise<void> {
    const { d } = this;
    const pending: Promise<unknown>[] = [];
    try {
      d.clockHealth.tick();
      this.markClock();
      this.telemetrySummary();
      d.rollouts.tick();
      d.watcher.check();
      d.monitor.tick();
      d.health.sweepLogs();
      pending.push(this.pruneResendMemory());
      d.router.sweepLogs();
      pending.push(this.expireHolds());
      pending.push(d.kinds.tick());
      this.showLed();
    } catch (err) {
      d.log.error({ err }, 'periodic check failed');
    }
    return Promise.all(pending).then(() => undefined);
  }

  /** The LED on the box: steady when all is well, fast blink when a device or the box has a fault. */
  private showLed(): void {
    const { d } = this;
    const cloud = d.cloud();
    const fault =
      d.clock.monotonic() - d.lastAlertMono() < 60_000 ||
      d.monitor.all().some((x) => x.verdict.status === 'fault') ||
      d.desk.health().some((h) => h.state === 'open') ||
      cloud?.status().overBudget === true;
    d.hardware.led.show(fault ? 'fault' : cloud && !cloud.isConnected ? 'cloud_offline' : 'online');
  }

  /** Keeps the latest trusted wall time (once a minute, few writes on an SD card) for the next start. */
  private markClock(): void {
    const { d } = this;
    const mono = d.clock.monotonic();
    if (mono - this.lastMarkMono < 60_000) return;
    this.lastMarkMono = mono;
    const wall = d.clockHealth.mark();
    if (wall === undefined) return;
    void d.writer
      .submit(() =>
        d.db
          .prepare(
            'INSERT INTO clock_marks (id, wall) VALUES (1, ?) ' +
              'ON CONFLICT(id) DO UPDATE SET wall = MAX(wall, excluded.wall)',
          )
          .run(wall),
      )
      .catch(() => undefined);
  }

  /** Every `cloud.telemetryEveryS`: device health in numbers, on the droppable telemetry stream. */
  private telemetrySummary(): void {
    const { d } = this;
    const { outbox } = d;
    const cloud = d.cloud();
    const mono = d.clock.monotonic();
    if (!outbox || !cloud || mono - this.lastSummaryMono < d.telemetryEveryS * 1000) return;
    this.lastSummaryMono = mono;
    if (!cloud.sampleTelemetry()) return;
    const summary = healthSummary(d.monitor.all(), d.connections(), d.clock.now());
    void d.writer
      .submit(() => outbox.append('telemetry', 'telemetry.summary', summary))
      .catch((err: unknown) => d.log.warn({ err }, 'telemetry summary not written'));
  }

  /** Once an hour: answers and tap bindings older than resends can be. */
  private async pruneResendMemory(): Promise<void> {
    const { d } = this;
    const mono = d.clock.monotonic();
    if (mono - this.lastPruneMono < 3600_000) return;
    this.lastPruneMono = mono;
    const n = await d.redemption
      .prune(d.clock.now())
      .catch((err: unknown) => d.log.warn({ err }, 'resend memory not pruned'));
    if (n && n.answers + n.taps > 0) d.log.debug(n, 'old request answers and tap bindings pruned');
  }

  private expireHolds(): Promise<void> {
    const { d } = this;
    this.expiring ??= d.redemption.service
      .expireHolds()
      .then((n) => {
        if (n > 0) d.log.info({ count: n }, 'expired holds voided and refunded');
      })
      .catch((err: unknown) => d.log.error({ err }, 'hold expiry failed'))
      .finally(() => {
        this.expiring = undefined;
      });
    return this.expiring;
  }
}
