import type Database from 'better-sqlite3';

/** An open SQLite connection (a leaf module: repositories name the type without loading the store). */
export type Db = Database.Database;
