import { join } from 'node:path';
import { closeDatabase, openDatabase, type Db } from './db.ts';
import type { ReadDb } from './db-type.ts';
import { DeviceRepo } from './device-repo.ts';
import { HealthRepo } from './health-repo.ts';
import { TokenRepo } from './token-repo.ts';

/**
 * The gateway's one SQLite file and its repositories. One writer connection for the whole process (`db`,
 * used by the repositories inside units of the writer), and a read-only one (`reader`) for readers
 * outside it: a write attempted there fails.
 */
export class Store {
  readonly db: Db;
  readonly reader: ReadDb;
  readonly devices: DeviceRepo;
  readonly tokens: TokenRepo;
  readonly health: HealthRepo;
  readonly file: string;

  constructor(dataDir: string, opts: { historyPerDevice?: number } = {}) {
    this.file = dataDir === ':memory:' ? ':memory:' : join(dataDir, 'linli.db');
    this.db = openDatabase(this.file);
    // an in-memory database is one connection's own: its readers share it
    this.reader = this.file === ':memory:' ? this.db : openDatabase(this.file, { readonly: true });
    this.devices = new DeviceRepo(this.db);
    this.tokens = new TokenRepo(this.db);
    this.health = new HealthRepo(this.db, opts.historyPerDevice ?? 500);
  }

  close(): void {
    if (this.reader !== this.db) (this.reader as Db).close();
    closeDatabase(this.db);
  }
}
