import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { BatchWriter } from '../store/batch-writer.ts';
import type { Db, ReadDb } from '../store/db-type.ts';
import type { Store } from '../store/store.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { GatewayEvents } from '../gateway-events.ts';

export interface TelemetrySample {
  at: number;
  temperatureC: number | null;
  rssiDbm: number | null;
}

/** How often old samples are deleted: they are few, and an hour late is harmless. */
const PRUNE_EVERY_MS = 3_600_000;

/** Samples the figures every kind may report [FWP-7.1] (temperatureC, rssiDbm) as they arrive. */
export class TelemetrySamples {
  /** When each device's last sample was taken (monotonic ms). */
  private readonly lastAt = new Map<string, number>();
  private lastPrune = Number.NEGATIVE_INFINITY;
  private readonly w;
  private readonly r;

  constructor(
    db: Db,
    reader: ReadDb,
    private readonly d: {
      writer: Pick<BatchWriter, 'submit'>;
      clock: Pick<Clock, 'now' | 'monotonic'>;
      log: Logger;
      sampleS: number;
      keepH: number;
    },
  ) {
    this.w = {
      insert: db.prepare(
        'INSERT OR REPLACE INTO telemetry_samples (device_id, at, temperature_c, rssi_dbm) VALUES (?, ?, ?, ?)',
      ),
      prune: db.prepare('DELETE FROM telemetry_samples WHERE at < ?'),
      forget: db.prepare('DELETE FROM telemetry_samples WHERE device_id = ?'),
    };
    this.r = {
      since: reader.prepare<[string, number], { at: number; temperature_c: number | null; rssi_dbm: number | null }>(
        'SELECT at, temperature_c, rssi_dbm FROM telemetry_samples WHERE device_id = ? AND at >= ? ORDER BY at',
      ),
    };
  }

  /** The gateway's samples, on its database and writer; a deleted device's go with it. */
  static wire(d: {
    store: Pick<Store, 'db' | 'reader'>;
    writer: Pick<BatchWriter, 'submit'>;
    clock: Pick<Clock, 'now' | 'monotonic'>;
    log: Logger;
    bus: Pick<EventBus<GatewayEvents>, 'on'>;
    health: { telemetrySampleS: number; telemetryKeepH: number };
  }): TelemetrySamples {
    const samples = new TelemetrySamples(d.store.db, d.store.reader, {
      writer: d.writer,
      clock: d.clock,
      log: d.log,
      sampleS: d.health.telemetrySampleS,
      keepH: d.health.telemetryKeepH,
    });
    d.bus.on('device.revoked', (r) => r.why === 'removed' && samples.forget(r.id));
    return samples;
  }

  /** A telemetry message arrived: kept when its device's last sample is old enough and it has a figure. */
  offer(deviceId: string, body: { temperatureC?: number | undefined; rssiDbm?: number | undefined }): void {
    if (body.temperatureC === undefined && body.rssiDbm === undefined) return;
    const mono = this.d.clock.monotonic();
    const last = this.lastAt.get(deviceId);
    if (last !== undefined && mono - last < this.d.sampleS * 1000) return;
    this.lastAt.set(deviceId, mono);
    const at = this.d.clock.now();
    this.d.writer
      .submit(() => this.w.insert.run(deviceId, at, body.temperatureC ?? null, body.rssiDbm ?? null))
      .catch((err: unknown) => this.d.log.warn({ err, deviceId }, 'a telemetry sample was not stored'));
  }

  /** Samples of one device since `since` (wall ms), oldest first. */
  history(deviceId: string, since: number): TelemetrySample[] {
    return this.r.since
      .all(deviceId, since)
      .map((s) => ({ at: s.at, temperatureC: s.temperature_c, rssiDbm: s.rssi_dbm }));
  }

  /** A deleted device's samples go with it. */
  forget(deviceId: string): void {
    this.lastAt.delete(deviceId);
    this.d.writer
      .submit(() => this.w.forget.run(deviceId))
      .catch((err: unknown) => this.d.log.warn({ err, deviceId }, 'telemetry samples not deleted'));
  }

  /** On the housekeeping tick: deletes what is older than `keepH`, at most once an hour. */
  tick(): void {
    const mono = this.d.clock.monotonic();
    if (mono - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = mono;
    const before = this.d.clock.now() - this.d.keepH * 3_600_000;
    this.d.writer
      .submit(() => this.w.prune.run(before))
      .catch((err: unknown) => this.d.log.warn({ err }, 'old telemetry samples not deleted'));
  }
}
