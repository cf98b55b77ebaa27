import type { Db } from '../store/db.ts';

/**
 * Streams of the outbox. Each is delivered in order on its own, so a backlog of one never holds up
 * another. Money, access and parcel events are never dropped; telemetry may be, oldest first.
 */
export const STREAMS = ['money', 'access', 'parcels', 'health', 'telemetry'] as const;
export type Stream = (typeof STREAMS)[number];
export const DROPPABLE: ReadonlySet<Stream> = new Set(['telemetry']);

export interface OutboxEvent {
  stream: Stream;
  seq: number;
  id: string;
  kind: string;
  at: number;
  data: unknown;
}

/** What the business code writes events with, inside the unit of work that makes the change. */
export interface OutboxPort {
  append(stream: Stream, kind: string, data: unknown): void;
}

/**
 * The transactional outbox: an event is written in the same SQLite transaction as the change it
 * describes, with a stable id and a per-stream sequence number; it is deleted only when the cloud has
 * acknowledged it. The outbox, not the MQTT client, is the queue.
 */
export class OutboxRepo implements OutboxPort {
  private readonly s;
  constructor(
    db: Db,
    private readonly gatewayId: string,
    private readonly now: () => number,
  ) {
    this.s = {
      stream: db.prepare<[string], { next_seq: number; acked_seq: number; dropped: number }>('SELECT next_seq, acked_seq, dropped FROM outbox_streams WHERE stream = ?'),
      initStream: db.prepare('INSERT OR IGNORE INTO outbox_streams (stream, next_seq, acked_seq, dropped) VALUES (?, 1, 0, 0)'),
      bump: db.prepare('UPDATE outbox_streams SET next_seq = next_seq + 1 WHERE stream = ?'),
      insert: db.prepare('INSERT INTO outbox (stream, stream_seq, event_id, kind, at, payload, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      after: db.prepare<[string, number, number], { stream_seq: number; event_id: string; kind: string; at: number; payload: string }>(
        'SELECT stream_seq, event_id, kind, at, payload FROM outbox WHERE stream = ? AND stream_seq > ? ORDER BY stream_seq LIMIT ?',
      ),
      ack: db.prepare('UPDATE outbox_streams SET acked_seq = MAX(acked_seq, ?) WHERE stream = ?'),
      deleteUpTo: db.prepare('DELETE FROM outbox WHERE stream = ? AND stream_seq <= ?'),
      pending: db.prepare<[], { stream: string; n: number; bytes: number; oldest: number | null }>('SELECT stream, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes, MIN(at) AS oldest FROM outbox GROUP BY stream'),
      dropOldest: db.prepare('DELETE FROM outbox WHERE rowid IN (SELECT rowid FROM outbox WHERE stream = ? ORDER BY stream_seq LIMIT ?)'),
      sizes: db.prepare<[string], { stream_seq: number; bytes: number }>('SELECT stream_seq, bytes FROM outbox WHERE stream = ? ORDER BY stream_seq'),
      dropUpTo: db.prepare('DELETE FROM outbox WHERE stream = ? AND stream_seq <= ?'),
      countDropped: db.prepare('UPDATE outbox_streams SET dropped = dropped + ? WHERE stream = ?'),
      totalBytes: db.prepare<[], { bytes: number }>('SELECT COALESCE(SUM(bytes), 0) AS bytes FROM outbox'),
      nextSession: db.prepare<[], { session: number }>(
        'INSERT INTO cloud_session (id, session) VALUES (1, 1) ON CONFLICT(id) DO UPDATE SET session = session + 1 RETURNING session',
      ),
      dropped: db.prepare<[string], { dropped: number }>('SELECT dropped FROM outbox_streams WHERE stream = ?'),
    };
  }

  /** The next cloud session number (durable). */
  nextSession(): number {
    return this.s.nextSession.get()?.session ?? 1;
  }

  droppedCount(stream: Stream): number {
    return this.s.dropped.get(stream)?.dropped ?? 0;
  }

  /** Must run inside the transaction of the change it describes (a unit of the writer). */
  append(stream: Stream, kind: string, data: unknown): void {
    this.s.initStream.run(stream);
    const st = this.s.stream.get(stream);
    const seq = st?.next_seq ?? 1;
    const payload = JSON.stringify(data);
    this.s.insert.run(stream, seq, `${this.gatewayId}:${stream}:${seq}`, kind, this.now(), payload, payload.length);
    this.s.bump.run(stream);
  }

  /** Events of a stream after a sequence number, in order. */
  after(stream: Stream, seq: number, limit: number): OutboxEvent[] {
    return this.s.after.all(stream, seq, limit).map((r) => ({ stream, seq: r.stream_seq, id: r.event_id, kind: r.kind, at: r.at, data: JSON.parse(r.payload) as unknown }));
  }

  ackedSeq(stream: Stream): number {
    return this.s.stream.get(stream)?.acked_seq ?? 0;
  }

  /** The cloud has every event of the stream up to `upTo`: they leave the outbox. */
  acknowledge(stream: Stream, upTo: number): void {
    this.s.initStream.run(stream);
    this.s.ack.run(upTo, stream);
    this.s.deleteUpTo.run(stream, upTo);
  }

  backlog(): { stream: string; events: number; bytes: number; oldestAt: number | null; dropped: number }[] {
    return this.s.pending.all().map((p) => ({ stream: p.stream, events: p.n, bytes: p.bytes, oldestAt: p.oldest, dropped: this.s.stream.get(p.stream)?.dropped ?? 0 }));
  }

  bytes(): number {
    return this.s.totalBytes.get()?.bytes ?? 0;
  }

  /** Drops the oldest events of a droppable stream until `bytes` are freed (one pass); returns how many. */
  dropOldestBytes(stream: Stream, bytes: number): number {
    if (!DROPPABLE.has(stream)) throw new Error(`stream ${stream} is never dropped`);
    let freed = 0;
    let cutoff = 0;
    for (const r of this.s.sizes.iterate(stream)) {
      if (freed >= bytes) break;
      freed += r.bytes;
      cutoff = r.stream_seq;
    }
    const dropped = cutoff > 0 ? this.s.dropUpTo.run(stream, cutoff).changes : 0;
    if (dropped > 0) this.s.countDropped.run(dropped, stream);
    return dropped;
  }

  /** Drops the oldest events of a droppable stream (telemetry), counted; never money, access or parcels. */
  dropOldest(stream: Stream, n: number): number {
    if (!DROPPABLE.has(stream)) throw new Error(`stream ${stream} is never dropped`);
    const dropped = this.s.dropOldest.run(stream, n).changes;
    if (dropped > 0) this.s.countDropped.run(dropped, stream);
    return dropped;
  }
}

export const OUTBOX_SQL = `
  CREATE TABLE outbox (
    stream     TEXT NOT NULL,
    stream_seq INTEGER NOT NULL,
    event_id   TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    payload    TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    PRIMARY KEY (stream, stream_seq)
  ) STRICT;
  CREATE TABLE outbox_streams (
    stream    TEXT PRIMARY KEY,
    next_seq  INTEGER NOT NULL,
    acked_seq INTEGER NOT NULL DEFAULT 0,
    dropped   INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  -- The cloud session counter: +1 on every connection, kept across restarts.
  CREATE TABLE cloud_session (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    session INTEGER NOT NULL
  ) STRICT;
`;
