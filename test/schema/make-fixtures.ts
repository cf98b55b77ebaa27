/**
 * Writes the schema fixture of every released migration that has none yet: test/schema/fixtures/vNN.db.gz.
 * Run once when a migration is released (`npx tsx test/schema/make-fixtures.ts`) and commit the new file.
 * An existing fixture is never rewritten: it is what that release really wrote, and today's migrations must
 * upgrade it as it is.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { migrate } from '../../gateway/store/db.ts';
import { MIGRATIONS } from '../../gateway/store/migrations.ts';
import { SEEDS } from './seeds.ts';

export const FIXTURES_DIR = new URL('./fixtures/', import.meta.url).pathname;
export const fixtureFile = (version: number): string =>
  join(FIXTURES_DIR, `v${String(version).padStart(2, '0')}.db.gz`);

/** The released versions, oldest first. */
export const releasedVersions = (): number[] => MIGRATIONS.map((m) => m.version).sort((a, b) => a - b);

/**
 * A gateway's file is in WAL mode, and its header's read and write versions (SQLite file format, bytes 18 and
 * 19) say so: 2. An in-memory database serializes them as 1 (rollback journal) and cannot be opened from 2.
 */
const withFormat = (image: Buffer, v: 1 | 2): Buffer => {
  const copy = Buffer.from(image);
  copy[18] = v;
  copy[19] = v;
  return copy;
};
const asWalFile = (image: Buffer) => withFormat(image, 2);
const asMemoryImage = (image: Buffer) => withFormat(image, 1);

export function makeMissingFixtures(log: (line: string) => void = () => {}): number[] {
  const made: number[] = [];
  let previous: Buffer | undefined; // the serialized database of the version before
  for (const version of releasedVersions()) {
    const file = fixtureFile(version);
    if (existsSync(file)) {
      previous = asMemoryImage(gunzipSync(readFileSync(file)));
      continue;
    }
    const db = previous ? new Database(previous) : new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= version),
    );
    SEEDS[version]?.(db);
    db.exec('VACUUM');
    previous = db.serialize();
    db.close();
    writeFileSync(file, gzipSync(asWalFile(previous), { level: 9 }));
    made.push(version);
    log(`wrote ${file} (${previous.length} bytes before gzip)`);
  }
  return made;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const made = makeMissingFixtures(console.log);
  console.log(made.length > 0 ? `made fixtures for versions ${made.join(', ')}` : 'every version has its fixture');
}
