import type Database from 'better-sqlite3';

/** An open SQLite connection (a leaf module: repositories name the type without loading the store). */
export type Db = Database.Database;

/**
 * A connection opened read-only (SQLite refuses every write on it with SQLITE_READONLY): what readers
 * outside the writer get — the staff API's reports, health checks. Only the writer's connection writes.
 */
export type ReadDb = Omit<Db, 'exec' | 'transaction' | 'backup' | 'serialize' | 'unsafeMode' | 'loadExtension'>;
