import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { Db } from '../store/db-type.ts';
import type { LedgerAnchor } from './contract/events-ledger.ts';
import type { OutboxPort } from './outbox-port.ts';

/** Migration 27: every anchor this database sent, so the next one can name the entry the last one did. */
export const LEDGER_ANCHORS_SQL = `
  CREATE TABLE ledger_anchors (
    seq   INTEGER PRIMARY KEY,
    hash  TEXT NOT NULL,
    at    INTEGER NOT NULL,
    epoch TEXT NOT NULL
  ) STRICT;
`;

/** What the box finds when the entry its last anchor named is no longer what it was. */
export interface ChainRewrite {
  seq: number;
  anchored: string;
  now: string | null;
}

/**
 * Anchors the ledger's hash chain in the cloud [CLP-4.12]. `linli ledger verify` proves the chain consistent
 * in itself, but whoever holds the file can rewrite history and recompute every hash after it; the cloud,
 * holding the tips it was sent, cannot be rewritten from the box. Each anchor also re-reads the entry the
 * previous anchor named, so the cloud compares it with what it received then.
 */
export class LedgerAnchors {
  private readonly s;

  constructor(
    private readonly d: {
      db: Db;
      outbox: OutboxPort;
      clock: Pick<Clock, 'now'>;
      /** The epoch the outbox writes events in now [CLP-3.4]. */
      epoch(): string;
      log: Logger;
      /** A rewrite the box itself can see (its own anchor table still holds the old hash). */
      onRewrite?(r: ChainRewrite): void;
    },
  ) {
    const { db } = d;
    this.s = {
      tip: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1'),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM ledger'),
      last: db.prepare<[], { seq: number; hash: string; epoch: string }>(
        'SELECT seq, hash, epoch FROM ledger_anchors ORDER BY seq DESC LIMIT 1',
      ),
      hashAt: db.prepare<[number], { hash: string }>('SELECT hash FROM ledger WHERE seq = ?'),
      record: db.prepare('INSERT OR REPLACE INTO ledger_anchors (seq, hash, at, epoch) VALUES (?, ?, ?, ?)'),
    };
  }

  /**
   * Writes an anchor when the chain grew since the last one (inside the caller's write unit: the event and
   * the anchor's row commit together). Returns what it sent, or undefined when there was nothing new.
   */
  anchor(): LedgerAnchor | undefined {
    const tip = this.s.tip.get();
    if (!tip) return undefined;
    const last = this.s.last.get();
    if (last && last.seq === tip.seq && last.hash === tip.hash) return undefined;
    const at = this.d.clock.now();
    let previous: LedgerAnchor['previous'];
    if (last) {
      const now = this.s.hashAt.get(last.seq)?.hash ?? null;
      previous = { seq: last.seq, hash: now, epoch: last.epoch };
      if (now !== last.hash) {
        const rewrite = { seq: last.seq, anchored: last.hash, now };
        this.d.log.error(rewrite, 'the ledger entry the last anchor named has changed: the chain was rewritten');
        this.d.onRewrite?.(rewrite);
      }
    }
    const anchor: LedgerAnchor = {
      tip,
      ...(previous ? { previous } : {}),
      entries: this.s.count.get()?.n ?? 0,
      at,
    };
    this.d.outbox.append('money', 'ledger.anchor', anchor);
    this.s.record.run(tip.seq, tip.hash, at, this.d.epoch());
    return anchor;
  }
}
