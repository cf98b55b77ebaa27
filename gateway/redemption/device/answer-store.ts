import { createHash } from 'node:crypto';
import { ResponseBodySchema, type ResponseBody } from '../../../firmware-protocol/src/messages/response.ts';
import type { RequestBody } from '../../../firmware-protocol/src/messages/redemption.ts';
import type { Db } from '../../store/db-type.ts';

/** What makes a resend "the same request": its body, whatever the message id and time it came with. */
export function requestHash(body: RequestBody): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('base64url');
}

interface StoredAnswer {
  requestHash: string;
  /** Undefined where the redemption record answers (its current state). */
  answer: ResponseBody | undefined;
}

/**
 * The first answer to every device request that is not a money movement of its own, by device, txn and
 * op: a resend gets it back exactly, before any card is read again or any state is touched (a wrong
 * pickup code resent is not a second wrong try; a door decision resent is not a second decision).
 * Rows are kept a day; resends come within seconds.
 */
export class AnswerStore {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      get: db.prepare<[string, string, string], { request_hash: string; answer: string | null }>(
        'SELECT request_hash, answer FROM request_answers WHERE device_id = ? AND txn_id = ? AND op = ?',
      ),
      put: db.prepare(
        'INSERT OR IGNORE INTO request_answers (device_id, txn_id, op, request_hash, answer, at) ' +
          'VALUES (?, ?, ?, ?, ?, ?)',
      ),
      prune: db.prepare('DELETE FROM request_answers WHERE at < ?'),
    };
  }

  get(deviceId: string, txn: string, op: string): StoredAnswer | undefined {
    const r = this.s.get.get(deviceId, txn, op);
    if (!r) return undefined;
    return {
      requestHash: r.request_hash,
      answer: r.answer === null ? undefined : ResponseBodySchema.parse(JSON.parse(r.answer)),
    };
  }

  /** Inside a writer unit. The first one stays: a racing duplicate never replaces the answer already given. */
  put(deviceId: string, txn: string, op: string, hash: string, answer: ResponseBody | undefined, at: number): void {
    this.s.put.run(deviceId, txn, op, hash, answer === undefined ? null : JSON.stringify(answer), at);
  }

  prune(before: number): number {
    return this.s.prune.run(before).changes;
  }
}
