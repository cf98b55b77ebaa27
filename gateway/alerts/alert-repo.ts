import type { Db, ReadDb } from '../store/db-type.ts';
import type { Alert, AlertSeverity } from './alert-types.ts';

interface Row {
  id: number;
  key: string;
  device_id: string | null;
  code: string;
  severity: AlertSeverity;
  message: string;
  raised_at: number;
  last_seen_at: number;
  acked_at: number | null;
  acked_by: string | null;
  ack_note: string | null;
  cleared_at: number | null;
  cleared_by: string | null;
}

const fromRow = (r: Row): Alert => ({
  id: r.id,
  key: r.key,
  deviceId: r.device_id,
  code: r.code,
  severity: r.severity,
  message: r.message,
  raisedAt: r.raised_at,
  lastSeenAt: r.last_seen_at,
  acknowledged: r.acked_at === null ? null : { at: r.acked_at, by: r.acked_by ?? '', note: r.ack_note ?? '' },
  cleared: r.cleared_at === null ? null : { at: r.cleared_at, by: r.cleared_by },
});

export interface AlertFilter {
  state?: 'open' | 'acknowledged' | 'cleared' | 'all' | undefined;
  deviceId?: string | undefined;
  severity?: AlertSeverity | undefined;
  since?: number | undefined;
  until?: number | undefined;
  limit: number;
}

/** Writes go through the gateway's writer (inside its units); reads of history use the read-only connection. */
export class AlertRepo {
  private readonly w;
  private readonly r;
  constructor(db: Db, reader: ReadDb) {
    this.w = {
      insert: db.prepare(
        `INSERT INTO alerts (id, key, device_id, code, severity, message, raised_at, last_seen_at)
         VALUES (@id, @key, @deviceId, @code, @severity, @message, @raisedAt, @lastSeenAt)`,
      ),
      update: db.prepare(
        `UPDATE alerts SET severity = @severity, message = @message, last_seen_at = @lastSeenAt,
           acked_at = @ackedAt, acked_by = @ackedBy, ack_note = @ackNote, cleared_at = @clearedAt,
           cleared_by = @clearedBy
         WHERE id = @id`,
      ),
      open: db.prepare<[], Row>('SELECT * FROM alerts WHERE cleared_at IS NULL ORDER BY id'),
      maxId: db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM alerts'),
    };
    this.r = {
      get: reader.prepare<[number], Row>('SELECT * FROM alerts WHERE id = ?'),
      list: reader.prepare<Record<string, unknown>, Row>(
        `SELECT * FROM alerts
         WHERE (@deviceId IS NULL OR device_id = @deviceId)
           AND (@severity IS NULL OR severity = @severity)
           AND (@since IS NULL OR raised_at >= @since)
           AND (@until IS NULL OR raised_at < @until)
           AND CASE @state
                 WHEN 'open' THEN cleared_at IS NULL AND acked_at IS NULL
                 WHEN 'acknowledged' THEN cleared_at IS NULL AND acked_at IS NOT NULL
                 WHEN 'cleared' THEN cleared_at IS NOT NULL
                 ELSE 1 END
         ORDER BY raised_at DESC, id DESC LIMIT @limit`,
      ),
    };
  }

  /** The alerts not cleared yet, as the service keeps them in memory (writer's connection: sees its own writes). */
  loadOpen(): Alert[] {
    return this.w.open.all().map(fromRow);
  }

  nextId(): number {
    return (this.w.maxId.get()?.id ?? 0) + 1;
  }

  insert(a: Alert): void {
    this.w.insert.run({
      id: a.id,
      key: a.key,
      deviceId: a.deviceId,
      code: a.code,
      severity: a.severity,
      message: a.message,
      raisedAt: a.raisedAt,
      lastSeenAt: a.lastSeenAt,
    });
  }

  save(a: Alert): void {
    this.w.update.run({
      id: a.id,
      severity: a.severity,
      message: a.message,
      lastSeenAt: a.lastSeenAt,
      ackedAt: a.acknowledged?.at ?? null,
      ackedBy: a.acknowledged?.by ?? null,
      ackNote: a.acknowledged?.note ?? null,
      clearedAt: a.cleared?.at ?? null,
      clearedBy: a.cleared?.by ?? null,
    });
  }

  get(id: number): Alert | undefined {
    const r = this.r.get.get(id);
    return r ? fromRow(r) : undefined;
  }

  list(f: AlertFilter): Alert[] {
    return this.r.list
      .all({
        deviceId: f.deviceId ?? null,
        severity: f.severity ?? null,
        since: f.since ?? null,
        until: f.until ?? null,
        state: f.state ?? 'all',
        limit: f.limit,
      })
      .map(fromRow);
  }
}
