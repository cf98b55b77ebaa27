import type { Stream } from './contract/streams.ts';

/**
 * What the business code writes events with, inside the unit of work that makes the change (a leaf
 * module: the engine and the kinds name the port without loading the outbox or the cloud contract).
 */
export interface OutboxPort {
  append(stream: Stream, kind: string, data: unknown): void;
  /** Takes a pickup code out of events not yet sent (used or expired codes open nothing). */
  redactPickupCode?(parcelId: string): void;
}
