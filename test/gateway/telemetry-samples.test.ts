import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { TelemetrySamples } from '../../gateway/health/telemetry-samples.ts';
import { TELEMETRY_SAMPLES_SQL } from '../../gateway/health/telemetry-sql.ts';
import { BatchWriter } from '../../gateway/store/batch-writer.ts';

describe('telemetry samples for the console charts', () => {
  let db: Database.Database;
  let writer: BatchWriter;
  let clock: ManualClock;
  let samples: TelemetrySamples;

  beforeEach(() => {
    db = new Database(':memory:');
    db.exec(TELEMETRY_SAMPLES_SQL);
    writer = new BatchWriter(db, { maxWaitMs: 1, maxBatch: 64 });
    clock = new ManualClock();
    samples = new TelemetrySamples(db, db, { writer, clock, log: silentLogger(), sampleS: 600, keepH: 24 });
  });
  afterEach(() => {
    writer.stop();
    db.close();
  });

  it('keeps one sample per device per period, only of messages with a figure', () => {
    const t0 = clock.now();
    samples.offer('vm-01', { temperatureC: 5, rssiDbm: -60 });
    clock.advance(10_000);
    samples.offer('vm-01', { temperatureC: 9 }); // too soon
    samples.offer('door-01', {}); // nothing to chart
    samples.offer('door-01', { rssiDbm: -70 });
    clock.advance(600_000);
    samples.offer('vm-01', { temperatureC: 13 });
    writer.flush();
    expect(samples.history('vm-01', t0)).toEqual([
      { at: t0, temperatureC: 5, rssiDbm: -60 },
      { at: t0 + 610_000, temperatureC: 13, rssiDbm: null },
    ]);
    expect(samples.history('door-01', t0)).toEqual([{ at: t0 + 10_000, temperatureC: null, rssiDbm: -70 }]);
    expect(samples.history('vm-01', t0 + 1)).toHaveLength(1);
  });

  it('deletes samples older than keepH on the tick, at most hourly, and a deleted device’s at once', () => {
    const t0 = clock.now();
    samples.offer('vm-01', { temperatureC: 5 });
    samples.offer('door-01', { rssiDbm: -70 });
    writer.flush();
    samples.tick(); // nothing old yet
    clock.advance(25 * 3_600_000);
    samples.offer('vm-01', { temperatureC: 6 });
    samples.tick();
    writer.flush();
    expect(samples.history('vm-01', t0).map((s) => s.temperatureC)).toEqual([6]);
    samples.forget('vm-01');
    writer.flush();
    expect(samples.history('vm-01', t0)).toEqual([]);
  });
});
