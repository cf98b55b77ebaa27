import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DROPPABLE, type OutboxRepo, STREAMS, type Stream } from '../../gateway/cloud/outbox-repo.ts';

/** A fresh outbox on a database file, and what the contract needs to drive and observe it. */
export interface OutboxSubject {
  outbox: OutboxRepo;
  /** Runs `fn` as a unit of the single writer: committed when it returns, rolled back when it throws. */
  inTransaction<T>(fn: () => T): T;
  /** Moves the time the outbox stamps events with. */
  advance(ms: number): void;
  /** Closes the database and opens the same file again, as a restarted gateway does; returns the new outbox. */
  reopen(): OutboxRepo;
  gatewayId: string;
  close(): void;
}

const NEVER_DROPPED = STREAMS.filter((s) => !DROPPABLE.has(s));

/**
 * The contract of the transactional outbox (gateway/cloud/outbox-repo.ts): OutboxPort, what the
 * business code appends with, and the reading, acknowledging and dropping the cloud link does.
 */
export function describeOutboxContract(name: string, factory: () => OutboxSubject): void {
  describe(`outbox contract: ${name}`, () => {
    let s: OutboxSubject;
    let o: OutboxRepo;
    const append = (stream: Stream, n: number, data: (i: number) => unknown = (i) => ({ i })) =>
      s.inTransaction(() => {
        for (let i = 0; i < n; i++) o.append(stream, `${stream}.test`, data(i));
      });
    const seqs = (stream: Stream) => o.after(stream, 0, 10_000).map((e) => e.seq);
    beforeEach(() => {
      s = factory();
      o = s.outbox;
    });
    afterEach(() => s.close());

    it('append numbers each stream on its own: 1, 2, 3… with no gaps', () => {
      append('money', 3);
      append('telemetry', 2);
      append('money', 1);
      expect(seqs('money')).toEqual([1, 2, 3, 4]);
      expect(seqs('telemetry')).toEqual([1, 2]);
      expect(seqs('access')).toEqual([]);
    });

    it(
      'after(stream, seq, limit) returns the events after seq, ' +
        'in order, at most limit, with kind, time and data as written',
      () => {
        s.inTransaction(() => {
          o.append('access', 'access.decision', { door: 'main', allow: true });
          s.advance(1000);
          o.append('access', 'access.denied', { door: 'side', nested: { list: [1, 2] } });
          s.advance(1000);
          o.append('access', 'access.decision', { n: 3 });
        });
        const all = o.after('access', 0, 10);
        expect(all.map((e) => [e.seq, e.kind, e.data])).toEqual([
          [1, 'access.decision', { door: 'main', allow: true }],
          [2, 'access.denied', { door: 'side', nested: { list: [1, 2] } }],
          [3, 'access.decision', { n: 3 }],
        ]);
        expect((all[1]?.at ?? 0) - (all[0]?.at ?? 0)).toBe(1000);
        expect(o.after('access', 1, 1).map((e) => e.seq)).toEqual([2]);
        expect(o.after('access', 3, 10)).toEqual([]);
      },
    );

    it('every event has a stable id, unique across streams: gateway, database epoch, stream and sequence', () => {
      append('money', 2);
      append('parcels', 1);
      const ids = [...o.after('money', 0, 10), ...o.after('parcels', 0, 10)].map((e) => e.id);
      expect(ids).toEqual([
        `${s.gatewayId}:${o.epoch}:money:1`,
        `${s.gatewayId}:${o.epoch}:money:2`,
        `${s.gatewayId}:${o.epoch}:parcels:1`,
      ]);
    });

    it('an append rolled back with its unit of work leaves nothing, and uses up no sequence number', () => {
      append('money', 1);
      expect(() =>
        s.inTransaction(() => {
          o.append('money', 'money.x', { lost: true });
          throw new Error('the change it described failed');
        }),
      ).toThrow(/failed/);
      append('money', 1, () => ({ kept: true }));
      expect(o.after('money', 0, 10).map((e) => [e.seq, e.data])).toEqual([
        [1, { i: 0 }],
        [2, { kept: true }],
      ]);
    });

    it(
      'acknowledge(stream, upTo) ' + 'removes exactly the events up to upTo of that stream, and nothing of the others',
      () => {
        append('money', 5);
        append('health', 2);
        s.inTransaction(() => o.acknowledge('money', 3));
        expect(seqs('money')).toEqual([4, 5]);
        expect(o.ackedSeq('money')).toBe(3);
        expect(seqs('health')).toEqual([1, 2]);
        expect(o.ackedSeq('health')).toBe(0);
        append('money', 1);
        expect(seqs('money')).toEqual([4, 5, 6]); // numbering goes on after an ack
      },
    );

    it('a late, lower acknowledgement never moves the acknowledged sequence back nor brings events back', () => {
      append('parcels', 4);
      s.inTransaction(() => o.acknowledge('parcels', 3));
      s.inTransaction(() => o.acknowledge('parcels', 1));
      expect(o.ackedSeq('parcels')).toBe(3);
      expect(seqs('parcels')).toEqual([4]);
    });

    it('the backlog and byte totals follow appends and acknowledgements', () => {
      append('money', 3, () => ({ pad: 'x'.repeat(100) }));
      append('telemetry', 2, () => ({ pad: 'y'.repeat(50) }));
      const size = (pad: number) => JSON.stringify({ pad: 'x'.repeat(pad) }).length;
      expect(o.bytes()).toBe(3 * size(100) + 2 * size(50));
      expect(o.backlog()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ stream: 'money', events: 3, bytes: 3 * size(100), dropped: 0 }),
          expect.objectContaining({ stream: 'telemetry', events: 2, bytes: 2 * size(50), dropped: 0 }),
        ]),
      );
      s.inTransaction(() => o.acknowledge('money', 3));
      expect(o.bytes()).toBe(2 * size(50));
      expect(o.backlog().map((b) => b.stream)).toEqual(['telemetry']);
    });

    it(
      'a droppable stream drops its oldest whole events until the bytes asked for are freed; ' +
        'they count as dropped and acknowledged',
      () => {
        expect([...DROPPABLE]).toEqual(['telemetry']);
        append('telemetry', 10, (i) => ({ i, pad: 'z'.repeat(90) }));
        append('money', 2);
        const each = JSON.stringify({ i: 0, pad: 'z'.repeat(90) }).length;
        const dropped = s.inTransaction(() => o.dropOldestBytes('telemetry', 3 * each + 1));
        expect(dropped).toBe(4); // whole events, oldest first, until at least the bytes asked for
        expect(seqs('telemetry')).toEqual([5, 6, 7, 8, 9, 10]);
        expect(o.ackedSeq('telemetry')).toBe(4);
        expect(o.droppedCount('telemetry')).toBe(4);
        expect(seqs('money')).toEqual([1, 2]);
        expect(s.inTransaction(() => o.dropOldestBytes('telemetry', 1_000_000))).toBe(6);
        expect(seqs('telemetry')).toEqual([]);
        expect(o.droppedCount('telemetry')).toBe(10);
        expect(s.inTransaction(() => o.dropOldestBytes('telemetry', 100))).toBe(0);
      },
    );

    it.each(NEVER_DROPPED)('the %s stream is never dropped: asking to drop it throws and removes nothing', (stream) => {
      append(stream, 3);
      expect(() => s.inTransaction(() => o.dropOldestBytes(stream, 1_000_000))).toThrow(/never dropped/);
      expect(seqs(stream)).toEqual([1, 2, 3]);
      expect(o.droppedCount(stream)).toBe(0);
    });

    it('a used pickup code leaves the unsent events of its parcel only', () => {
      s.inTransaction(() => {
        o.append('parcels', 'parcel.stored', { parcelId: 'p-1', code: '123456', compartment: 'A1' });
        o.append('parcels', 'parcel.stored', { parcelId: 'p-2', code: '654321', compartment: 'A2' });
        o.redactPickupCode('p-1');
      });
      expect(o.after('parcels', 0, 10).map((e) => e.data)).toEqual([
        { parcelId: 'p-1', compartment: 'A1' },
        { parcelId: 'p-2', code: '654321', compartment: 'A2' },
      ]);
    });

    it(
      'durable: after the database is reopened, unacknowledged events, ' +
        'numbering, acknowledgements, drops and the epoch are all still there',
      () => {
        append('money', 3);
        append('telemetry', 3);
        s.inTransaction(() => {
          o.acknowledge('money', 1);
          o.dropOldestBytes('telemetry', 1);
        });
        const session = o.nextSession();
        const before = { epoch: o.epoch, money: o.after('money', 0, 10), telemetry: o.after('telemetry', 0, 10) };
        o = s.reopen();
        expect(o.epoch).toBe(before.epoch);
        expect(o.after('money', 0, 10)).toEqual(before.money);
        expect(o.after('telemetry', 0, 10)).toEqual(before.telemetry);
        expect(o.ackedSeq('money')).toBe(1);
        expect(o.droppedCount('telemetry')).toBe(1);
        expect(o.nextSession()).toBe(session + 1);
        append('money', 1);
        expect(seqs('money')).toEqual([2, 3, 4]); // no number is handed out twice
      },
    );
  });
}
