import { PROTOCOL_VERSION } from './version.ts';

/**
 * Stamps the envelope of messages one sender publishes [FWP-4.1]: unique ids, a per-peer sequence
 * number and the sender's clock. The gateway keeps one for all its downlinks; each simulated device has one.
 */
export class EnvelopeStamper {
  private counter = 0;
  private readonly seqs = new Map<string, number>();
  constructor(
    private readonly idPrefix: string,
    private readonly now: () => number,
  ) {}

  /** Next sequence number towards `peer`; wraps after 2^32-1 [FWP-4.4]. */
  nextSeq(peer: string): number {
    const seq = this.seqs.get(peer) ?? 0;
    this.seqs.set(peer, seq === 0xffff_ffff ? 0 : seq + 1);
    return seq;
  }

  /** Restart the sequence towards `peer` (a device's new session starts again at 0 with its birth). */
  resetSeq(peer: string): void {
    this.seqs.delete(peer);
  }

  stamp<T extends string, B>(
    peer: string,
    type: T,
    body: B,
    extra: { corr?: string | undefined; txn?: string | undefined } = {},
  ): { v: string; id: string; ts: number; seq: number; type: T; body: B; corr?: string; txn?: string } {
    this.counter += 1;
    const msg: { v: string; id: string; ts: number; seq: number; type: T; body: B; corr?: string; txn?: string } = {
      v: PROTOCOL_VERSION,
      id: `${this.idPrefix}-${this.counter.toString(36)}`,
      ts: this.now(),
      seq: this.nextSeq(peer),
      type,
      body,
    };
    if (extra.corr !== undefined) msg.corr = extra.corr;
    if (extra.txn !== undefined) msg.txn = extra.txn;
    return msg;
  }
}
