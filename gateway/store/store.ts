import { join } from 'node:path';
import { closeDatabase, openDatabase, type Db } from './db.ts';
import { DeviceRepo } from './device-repo.ts';
import { HealthRepo } from './health-repo.ts';
import { TokenRepo } from './token-repo.ts';

/** The gateway's one SQLite file and its repositories. One writer connection for the whole process. */
export class Store {
  readonly db: Db;
  readonly devices: DeviceRepo;
  readonly tokens: TokenRepo;
  readonly health: HealthRepo;
  readonly file: string;

  constructor(dataDir: string, opts: { historyPerDevice?: number } = {}) {
    this.file = dataDir === ':memory:' ? ':memory:' : join(dataDir, 'linli.db');
    this.db = openDatabase(this.file);
    this.devices = new DeviceRepo(this.db);
    this.tokens = new TokenRepo(this.db);
    this.health = new HealthRepo(this.db, opts.historyPerDevice ?? 500);
  }

  close(): void {
    closeDatabase(this.db);
  }
}
