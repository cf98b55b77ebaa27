import { createRequire } from 'node:module';
import { runNodeChild } from './node-child.ts';

/** Run by `node -e`: plain CommonJS, so it needs neither the build nor a TypeScript loader. */
const SCRIPT = `
const Database = require(process.argv[1]);
let out;
try {
  const db = new Database(process.argv[2], { readonly: true, fileMustExist: true });
  try { out = { problems: db.pragma('integrity_check(20)').map((r) => r.integrity_check).filter((m) => m !== 'ok') }; }
  finally { db.close(); }
} catch (err) { out = { error: String(err && err.message), code: String(err && err.code) }; }
process.stdout.write(JSON.stringify(out));
`;

/** The database file itself is broken beyond what integrity_check can list (SQLITE_CORRUPT, SQLITE_NOTADB). */
export class DatabaseDamagedError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'DatabaseDamagedError';
  }
}

/**
 * `PRAGMA integrity_check` of a database file in a child process: on a 700 MB file it reads every page
 * for some 45 s (a Pi: minutes), one synchronous call the running gateway's event loop must not wait on.
 * Resolves with the problems found (none: the file is sound).
 */
export async function integrityCheck(file: string, signal?: AbortSignal): Promise<string[]> {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const { code, out, err } = await runNodeChild(['-e', SCRIPT, sqlite, file], { signal });
  let r: { problems?: string[]; error?: string; code?: string };
  try {
    r = JSON.parse(out) as typeof r;
  } catch {
    throw new Error(`integrity_check did not run (exit ${code}): ${err.trim().split('\n')[0] ?? ''}`);
  }
  if (r.problems) return r.problems;
  if (r.code?.startsWith('SQLITE_')) throw new DatabaseDamagedError(r.error ?? r.code);
  throw new Error(`integrity_check failed: ${r.error}`);
}
