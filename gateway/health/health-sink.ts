import { topics } from '../../firmware-protocol/src/topics.ts';
import type { DeviceState } from '../../firmware-protocol/src/messages/state.ts';
import type { Logger } from '../core/log.ts';
import { LogLimiter, limitedLogger, type LimitedLogger } from '../core/log-limiter.ts';
import type { Publisher } from '../messaging/downlink.ts';
import type { HealthRepo } from '../store/health-repo.ts';
import type { WriterPort } from '../redemption/service/ports.ts';
import type { HealthChange } from './device-monitor.ts';
import type { OutboxPort } from '../cloud/outbox-port.ts';

/**
 * Where health changes go: the current snapshot and the bounded history in SQLite, the retained
 * per-device state topic for integrations [FWP-10.2], and the log (warn when a device gets worse).
 */
export class HealthSink {
  private readonly listeners = new Set<(c: HealthChange) => void>();
  /** Until the broker runs, changes are only stored; `publishAll` then announces every device once. */
  private publishing = false;

  /** Change lines per device are bounded (a few a minute, then one summary): the monitor already folds churn. */
  private readonly lines: LimitedLogger;

  constructor(
    private readonly repo: HealthRepo,
    /** Writes go through the group-commit writer: a reconnect storm is a few commits, not thousands. */
    private readonly writer: WriterPort,
    private readonly publisher: Publisher,
    private readonly log: Logger,
    /** Health changes are events for the cloud, written with the snapshot. */
    private readonly outbox?: OutboxPort,
    now: () => number = () => performance.now(),
  ) {
    this.lines = limitedLogger(log, new LogLimiter({ perKey: 5, total: 200, windowMs: 60_000, maxKeys: 10_000 }, now));
  }

  /** Writes the summaries of suppressed change lines; the gateway calls it from its ticker. */
  sweepLogs(): void {
    this.lines.sweep();
  }

  subscribe(listener: (c: HealthChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(change: HealthChange, telemetry: unknown): void {
    const { deviceId, verdict, event, at } = change;
    this.writer
      .submit(() => {
        this.repo.saveSnapshot({
          deviceId,
          status: verdict.status,
          reasons: verdict.reasons,
          telemetry,
          updatedAt: at,
        });
        this.repo.appendHistory(deviceId, at, verdict.status, verdict.reasons, event);
        this.outbox?.append('health', 'device.health', {
          deviceId,
          kind: change.kind,
          status: verdict.status,
          previous: change.previous.status,
          reasons: verdict.reasons.map((r) => r.code),
          event,
          at,
        });
      })
      .catch((err: unknown) => {
        // deleted a moment ago (another process's delete the registry watcher has not seen yet): nothing to keep
        const code = (err as { code?: string }).code;
        if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
          this.log.debug({ deviceId }, 'health change of a deleted device not stored');
        // a device's connection closing as the gateway stops: the next start finds it offline by itself
        else if (code === 'WRITER_STOPPED')
          this.log.info({ deviceId }, 'health change while the gateway stops not stored');
        else this.log.error({ err, deviceId }, 'could not store a health change');
      });
    // going offline because the gateway itself stops is expected, not a device getting worse
    const worse =
      rank(verdict.status) > rank(change.previous.status) &&
      change.previous.status !== 'unknown' &&
      !event.endsWith('broker_stopping');
    const fields = {
      deviceId,
      status: verdict.status,
      previous: change.previous.status,
      event,
      reasons: verdict.reasons.map((r) => r.message),
    };
    if (worse) this.lines.warn(`health:${deviceId}`, fields, 'device health got worse');
    else this.lines.info(`health:${deviceId}`, fields, 'device health changed');
    this.publishState(change);
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.log.error({ err }, 'health listener failed');
      }
    }
  }

  /** The broker is about to stop: changes are still stored, no longer published (there is no one to publish to). */
  stopPublishing(): void {
    this.publishing = false;
  }

  /** Publishes the retained state of every device, once the broker is up. */
  publishAll(changes: HealthChange[]): void {
    this.startPublishing();
    for (const c of changes) this.publishState(c);
  }

  /** The broker is up: every change from now on is also published as the device's retained state. */
  startPublishing(): void {
    this.publishing = true;
  }

  private publishState(change: HealthChange): void {
    if (!this.publishing) return;
    const s = change.verdict.status;
    const state: DeviceState = {
      state: s === 'offline' ? 'offline' : s === 'unknown' ? 'unknown' : 'online',
      status: s,
      reasons: change.verdict.reasons.map((r) => r.code),
      ts: change.at,
    };
    this.publisher
      .publish(topics.deviceState(change.deviceId), JSON.stringify(state), { qos: 1, retain: true })
      .catch((err: unknown) => this.log.warn({ err, deviceId: change.deviceId }, 'could not publish device state'));
  }
}

function rank(s: string): number {
  return { ok: 0, unknown: 0, degraded: 1, fault: 2, offline: 3 }[s] ?? 0;
}
