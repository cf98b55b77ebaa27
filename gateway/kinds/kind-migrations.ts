import type { Db } from '../store/db-type.ts';

/**
 * Applies a kind module's own statements it has not seen yet, in order, each batch atomically: a kind's
 * tables live with the kind, versioned per kind, beside the gateway's numbered migrations. Returns how
 * many were applied.
 */
export function migrateKind(db: Db, kind: string, statements: readonly string[]): number {
  return db
    .transaction(() => {
      const row = db.prepare<[string], { version: number }>('SELECT version FROM kind_schema WHERE kind = ?').get(kind);
      const from = row?.version ?? 0;
      if (from > statements.length)
        throw new Error(
          `the ${kind} tables are at version ${from}, written by a newer linli (this one knows up to ` +
            `${statements.length}); nothing was changed: install that newer linli again or restore a backup`,
        );
      for (const sql of statements.slice(from)) db.exec(sql);
      db.prepare(
        'INSERT INTO kind_schema (kind, version) VALUES (?, ?) ' +
          'ON CONFLICT(kind) DO UPDATE SET version = excluded.version',
      ).run(kind, statements.length);
      return statements.length - from;
    })
    .immediate();
}
