import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db-type.ts';
import { eventProblem } from './contract/events.ts';
import { DROPPABLE, type Stream } from './contract/streams.ts';

/** The streams are the contract's [CLP-3.1]; re-exported for the code that imports them from here. */
export { DROPPABLE, STREAMS, type Stream } from './contract/streams.ts';

interface OutboxEvent {
  stream: Stream;
  seq: number;
  id: string;
  /** The epoch it was written in: a restored database's unsent events keep their old one [CLP-3.12]. */
  epoch: string;
  kind: string;
  at: number;
  data: unknown;
}

/** An event written although it breaks the cloud contract [CLP-4.1]: kept and sent all the same. */
export interface InvalidEvent {
  stream: string;
  kind: string;
  problem: string;
}

import type { OutboxPort } from './outbox-port.ts';

export type { OutboxPort } from './outbox-port.ts';

/**
 * The transactional outbox: an event is written in the same SQLite transaction as the change it
 * describes, with a stable id and a per-stream sequence number; it is deleted only when the cloud has
 * acknowledged it. The outbox, not the MQTT client, is the queue.
 */
export class OutboxRepo implements OutboxPort {
  private readonly s;
  /**
   * This database's epoch, part of every event id written from now on: set when the database is created,
   * and anew when it is restored from a backup (prepareRestoredDatabase) [CLP-3.12].
   */
  readonly epoch: string;
  /** Per epoch this database was restored into: where each stream's numbering continues from. */
  private readonly bases = new Map<string, Map<string, number>>();
  /** Per older epoch this database was restored from: the last seq of each stream the backup held. */
  private readonly lasts = new Map<string, Map<string, number>>();

  private readonly invalid = {
    total: 0,
    byKind: new Map<string, number>(),
    last: undefined as InvalidEvent | undefined,
  };

  constructor(
    db: Db,
    private readonly gatewayId: string,
    private readonly now: () => number,
    private readonly opts: {
      /** Told of every event that breaks the contract (tests make it throw); it is counted either way. */
      onInvalid?(e: InvalidEvent): void;
    } = {},
  ) {
    this.s = {
      stream: db.prepare<
        [string],
        { next_seq: number; acked_seq: number; dropped: number; bytes: number; events: number }
      >('SELECT next_seq, acked_seq, dropped, bytes, events FROM outbox_streams WHERE stream = ?'),
      initStream: db.prepare(
        'INSERT OR IGNORE INTO outbox_streams (stream, next_seq, acked_seq, dropped) VALUES (?, 1, 0, 0)',
      ),
      bump: db.prepare(
        'UPDATE outbox_streams SET next_seq = next_seq + 1, bytes = bytes + ?, events = events + 1 WHERE stream = ?',
      ),
      insert: db.prepare(
        'INSERT INTO outbox (stream, stream_seq, event_id, kind, at, payload, bytes, epoch) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      after: db.prepare<
        [string, number, number],
        { stream_seq: number; event_id: string; kind: string; at: number; payload: string; epoch: string | null }
      >(
        'SELECT stream_seq, event_id, kind, at, payload, epoch FROM outbox ' +
          'WHERE stream = ? AND stream_seq > ? ORDER BY stream_seq LIMIT ?',
      ),
      ack: db.prepare('UPDATE outbox_streams SET acked_seq = MAX(acked_seq, ?) WHERE stream = ?'),
      range: db.prepare<[string, number], { n: number; bytes: number }>(
        'SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes FROM outbox WHERE stream = ? AND stream_seq <= ?',
      ),
      deleteUpTo: db.prepare('DELETE FROM outbox WHERE stream = ? AND stream_seq <= ?'),
      shrink: db.prepare(
        'UPDATE outbox_streams SET bytes = MAX(0, bytes - ?), events = MAX(0, events - ?) WHERE stream = ?',
      ),
      streams: db.prepare<[], { stream: string; events: number; bytes: number; dropped: number }>(
        'SELECT stream, events, bytes, dropped FROM outbox_streams',
      ),
      oldest: db.prepare<[string], { at: number }>(
        'SELECT at FROM outbox WHERE stream = ? ORDER BY stream_seq LIMIT 1',
      ),
      sizes: db.prepare<[string], { stream_seq: number; bytes: number }>(
        'SELECT stream_seq, bytes FROM outbox WHERE stream = ? ORDER BY stream_seq',
      ),
      countDropped: db.prepare('UPDATE outbox_streams SET dropped = dropped + ? WHERE stream = ?'),
      totalBytes: db.prepare<[], { bytes: number }>('SELECT COALESCE(SUM(bytes), 0) AS bytes FROM outbox_streams'),
      nextSession: db.prepare<[], { session: number }>(
        'INSERT INTO cloud_session (id, session) VALUES (1, 1) ' +
          'ON CONFLICT(id) DO UPDATE SET session = session + 1 RETURNING session',
      ),
      epoch: db.prepare<[], { epoch: string | null }>('SELECT epoch FROM cloud_session WHERE id = 1'),
      initSession: db.prepare('INSERT OR IGNORE INTO cloud_session (id, session) VALUES (1, 0)'),
      setEpoch: db.prepare('UPDATE cloud_session SET epoch = ? WHERE id = 1 AND epoch IS NULL'),
      redact: db.prepare(
        "UPDATE outbox SET payload = json_remove(payload, '$.code') " +
          "WHERE kind = 'parcel.stored' AND json_extract(payload, '$.parcelId') = ?",
      ),
    };
    this.s.initSession.run();
    this.s.setEpoch.run(randomBytes(6).toString('hex'));
    this.epoch = this.s.epoch.get()?.epoch ?? 'e0';
    const points = db
      .prepare<[], { epoch: string; from_epoch: string; stream: string; seq: number }>(
        'SELECT r.epoch, r.from_epoch, p.stream, p.seq FROM restores r JOIN restore_points p ON p.epoch = r.epoch',
      )
      .all();
    for (const p of points) {
      mapOf(this.bases, p.epoch).set(p.stream, p.seq);
      mapOf(this.lasts, p.from_epoch).set(p.stream, p.seq);
    }
  }

  /**
   * Where an epoch's numbering of a stream continues from: the restore point for an epoch a restored
   * database writes in, undefined for an epoch that numbers from 1 [CLP-3.12].
   */
  baseOf(epoch: string, stream: Stream): number | undefined {
    return this.bases.get(epoch)?.get(stream);
  }

  /**
   * The last seq of a stream an acknowledgement in `epoch` may reach: unbounded in the current epoch,
   * the restore point in an epoch this database was restored from (the cloud may hold more of it, sent
   * by the original box, and those seqs here are the new epoch's), undefined for an epoch never ours.
   */
  ackCeiling(epoch: string, stream: Stream): number | undefined {
    if (epoch === this.epoch) return Number.MAX_SAFE_INTEGER;
    const last = this.lasts.get(epoch);
    return last ? (last.get(stream) ?? 0) : undefined;
  }

  /** The next cloud session number (durable). */
  nextSession(): number {
    return this.s.nextSession.get()?.session ?? 1;
  }

  droppedCount(stream: Stream): number {
    return this.s.stream.get(stream)?.dropped ?? 0;
  }

  /**
   * Must run inside the transaction of the change it describes (a unit of the writer). The body is checked
   * against the contract first [CLP-4.1]: an event that breaks it is counted and reported, never refused —
   * the business change it belongs to (a payment, a door opening) has happened and the cloud must hear of it.
   */
  append(stream: Stream, kind: string, data: unknown): void {
    const problem = eventProblem(stream, kind, data);
    if (problem !== undefined) this.reportInvalid({ stream, kind, problem });
    this.s.initStream.run(stream);
    const st = this.s.stream.get(stream);
    const seq = st?.next_seq ?? 1;
    const payload = JSON.stringify(data);
    this.s.insert.run(
      stream,
      seq,
      `${this.gatewayId}:${this.epoch}:${stream}:${seq}`,
      kind,
      this.now(),
      payload,
      payload.length,
      this.epoch,
    );
    this.s.bump.run(payload.length, stream);
  }

  private reportInvalid(e: InvalidEvent): void {
    this.invalid.total += 1;
    this.invalid.byKind.set(e.kind, (this.invalid.byKind.get(e.kind) ?? 0) + 1);
    this.invalid.last = e;
    this.opts.onInvalid?.(e);
  }

  /** Events written since start that break the cloud contract: how many, per type, and the latest problem. */
  invalidEvents(): { total: number; byKind: Record<string, number>; last: InvalidEvent | undefined } {
    return { total: this.invalid.total, byKind: Object.fromEntries(this.invalid.byKind), last: this.invalid.last };
  }

  /** Events of a stream after a sequence number, in order. */
  after(stream: Stream, seq: number, limit: number): OutboxEvent[] {
    return this.s.after.all(stream, seq, limit).map((r) => ({
      stream,
      seq: r.stream_seq,
      id: r.event_id,
      epoch: r.epoch ?? this.epoch,
      kind: r.kind,
      at: r.at,
      data: JSON.parse(r.payload) as unknown,
    }));
  }

  ackedSeq(stream: Stream): number {
    return this.s.stream.get(stream)?.acked_seq ?? 0;
  }

  /** The cloud has every event of the stream up to `upTo`: they leave the outbox. */
  acknowledge(stream: Stream, upTo: number): void {
    this.s.initStream.run(stream);
    this.s.ack.run(upTo, stream);
    this.remove(stream, upTo);
  }

  private remove(stream: Stream, upTo: number): number {
    const r = this.s.range.get(stream, upTo);
    if (!r || r.n === 0) return 0;
    this.s.deleteUpTo.run(stream, upTo);
    this.s.shrink.run(r.bytes, r.n, stream);
    return r.n;
  }

  /** From running totals: cheap, whatever the backlog. */
  backlog(): { stream: string; events: number; bytes: number; oldestAt: number | null; dropped: number }[] {
    return this.s.streams
      .all()
      .filter((p) => p.events > 0 || p.dropped > 0)
      .map((p) => ({
        stream: p.stream,
        events: p.events,
        bytes: p.bytes,
        oldestAt: p.events > 0 ? (this.s.oldest.get(p.stream)?.at ?? null) : null,
        dropped: p.dropped,
      }));
  }

  bytes(): number {
    return this.s.totalBytes.get()?.bytes ?? 0;
  }

  /**
   * Drops the oldest events of a droppable stream until `bytes` are freed (one pass); they count as
   * acknowledged, so the next batch says where it resumes and the cloud skips the hole knowingly.
   */
  dropOldestBytes(stream: Stream, bytes: number): number {
    if (!DROPPABLE.has(stream)) throw new Error(`stream ${stream} is never dropped`);
    let freed = 0;
    let cutoff = 0;
    for (const r of this.s.sizes.iterate(stream)) {
      if (freed >= bytes) break;
      freed += r.bytes;
      cutoff = r.stream_seq;
    }
    if (cutoff === 0) return 0;
    const dropped = this.remove(stream, cutoff);
    this.s.ack.run(cutoff, stream);
    if (dropped > 0) this.s.countDropped.run(dropped, stream);
    return dropped;
  }

  /** A used or expired pickup code leaves the events not yet sent. */
  redactPickupCode(parcelId: string): void {
    this.s.redact.run(parcelId);
  }
}

function mapOf<V>(m: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let v = m.get(key);
  if (!v) {
    v = new Map();
    m.set(key, v);
  }
  return v;
}
