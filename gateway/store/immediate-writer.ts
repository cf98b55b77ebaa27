import type { WriterPort } from '../redemption/service/ports.ts';
import type { Db } from './db-type.ts';

/**
 * The writer of a short-lived process (the CLI's registry and token commands): each unit in its own
 * IMMEDIATE transaction, committed before its promise resolves. A gateway running on the same folder
 * keeps its own one writer (group commit); SQLite's write lock serialises the two, each holding it for
 * one unit, and the gateway's registry watcher sees what the CLI changed.
 */
export class ImmediateWriter implements WriterPort {
  constructor(private readonly db: Db) {}

  runNow<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  submit<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(this.db.transaction(work).immediate());
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
