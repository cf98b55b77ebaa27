import type { Db } from './db.ts';

export type HealthStatus = 'ok' | 'degraded' | 'fault' | 'offline' | 'unknown';

export interface HealthReason {
  code: string;
  message: string;
}

interface HealthSnapshot {
  deviceId: string;
  status: HealthStatus;
  reasons: HealthReason[];
  telemetry: unknown;
  updatedAt: number;
}

interface HealthHistoryEntry {
  seq: number;
  deviceId: string;
  at: number;
  status: HealthStatus;
  reasons: HealthReason[];
  event: string;
}

interface SnapshotRow {
  device_id: string;
  status: HealthStatus;
  reasons: string;
  telemetry: string | null;
  updated_at: number;
}
interface HistoryRow {
  seq: number;
  device_id: string;
  at: number;
  status: HealthStatus;
  reasons: string;
  event: string;
}

/** Current health per device and a bounded history of changes. */
export class HealthRepo {
  private readonly stmts;
  constructor(
    private readonly db: Db,
    private readonly historyPerDevice: number,
  ) {
    this.stmts = {
      upsert: db.prepare(
        `INSERT INTO device_health (device_id, status, reasons, telemetry, updated_at)
         VALUES (@deviceId, @status, @reasons, @telemetry, @updatedAt)
         ON CONFLICT(device_id) DO UPDATE SET status = excluded.status, reasons = excluded.reasons,
           telemetry = COALESCE(excluded.telemetry, device_health.telemetry), updated_at = excluded.updated_at`,
      ),
      get: db.prepare<[string], SnapshotRow>('SELECT * FROM device_health WHERE device_id = ?'),
      all: db.prepare<[], SnapshotRow>('SELECT * FROM device_health'),
      append: db.prepare('INSERT INTO health_history (device_id, at, status, reasons, event) VALUES (?, ?, ?, ?, ?)'),
      history: db.prepare<[string, number], HistoryRow>(
        'SELECT * FROM health_history WHERE device_id = ? ORDER BY seq DESC LIMIT ?',
      ),
      // Keeps the newest N rows of one device; run after each append so the table never outgrows N per device.
      prune: db.prepare(
        `DELETE FROM health_history WHERE device_id = @deviceId AND seq <= (
           SELECT seq FROM health_history WHERE device_id = @deviceId ORDER BY seq DESC LIMIT 1 OFFSET @keep)`,
      ),
      count: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM health_history WHERE device_id = ?'),
    };
  }

  saveSnapshot(s: HealthSnapshot): void {
    this.stmts.upsert.run({
      deviceId: s.deviceId,
      status: s.status,
      reasons: JSON.stringify(s.reasons),
      telemetry: s.telemetry === undefined ? null : JSON.stringify(s.telemetry),
      updatedAt: s.updatedAt,
    });
  }

  getSnapshot(deviceId: string): HealthSnapshot | undefined {
    const r = this.stmts.get.get(deviceId);
    return r ? toSnapshot(r) : undefined;
  }

  allSnapshots(): HealthSnapshot[] {
    return this.stmts.all.all().map(toSnapshot);
  }

  /** Appends a status change and trims the device's history to the configured bound, atomically. */
  appendHistory(deviceId: string, at: number, status: HealthStatus, reasons: HealthReason[], event: string): void {
    this.db.transaction(() => {
      this.stmts.append.run(deviceId, at, status, JSON.stringify(reasons), event);
      this.stmts.prune.run({ deviceId, keep: this.historyPerDevice });
    })();
  }

  history(deviceId: string, limit: number): HealthHistoryEntry[] {
    return this.stmts.history.all(deviceId, limit).map((r) => ({
      seq: r.seq,
      deviceId: r.device_id,
      at: r.at,
      status: r.status,
      reasons: JSON.parse(r.reasons) as HealthReason[],
      event: r.event,
    }));
  }

  historyCount(deviceId: string): number {
    return this.stmts.count.get(deviceId)?.n ?? 0;
  }
}

function toSnapshot(r: SnapshotRow): HealthSnapshot {
  return {
    deviceId: r.device_id,
    status: r.status,
    reasons: JSON.parse(r.reasons) as HealthReason[],
    telemetry: r.telemetry === null ? undefined : (JSON.parse(r.telemetry) as unknown),
    updatedAt: r.updated_at,
  };
}
