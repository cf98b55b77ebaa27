import { statSync } from 'node:fs';
import { formatIssue } from '../config/load.ts';
import { jsonSections, JsonSectionsError } from '../core/json-sections.ts';
import type { Db } from '../store/db-type.ts';
import type { Campaign } from './domain/model.ts';
import { FIXTURE_SECTIONS, FixtureRefs, type Fixture } from './fixture.ts';
import { cardLookupKey, FixtureWriter, type LoadSummary, type OpeningBalances } from './load-fixture.ts';
import type { CatalogRepo } from './store/catalog-repo.ts';
import type { GatewaySecrets } from '../security/gateway-secrets.ts';

export interface LoadProgress {
  phase: 'checking' | 'loading';
  bytes: number;
  totalBytes: number;
  members: number;
}

/** Problems a file has: every one named by its path, as `linli load` prints them. */
export class FixtureFileError extends Error {
  constructor(readonly issues: string[]) {
    super(issues.join('\n'));
  }
}

/** What the first pass keeps: every section but the members, which are read again while loading. */
type SmallSections = Omit<Fixture, 'members'>;

const MAX_ISSUES = 50;
const sectionNames = Object.keys(FIXTURE_SECTIONS) as (keyof typeof FIXTURE_SECTIONS)[];
const isSection = (s: string): s is keyof typeof FIXTURE_SECTIONS => (sectionNames as string[]).includes(s);

/**
 * Checks a JSON fixture file element by element, holding one member at a time, and keeps the small
 * sections. Throws FixtureFileError naming every problem (the first fifty) before anything is written.
 */
async function check(file: string, progress: (p: LoadProgress) => void): Promise<SmallSections> {
  const totalBytes = statSync(file).size;
  const issues: string[] = [];
  let more = 0;
  const problem = (line: string) => {
    if (issues.length < MAX_ISSUES) issues.push(line);
    else more += 1;
  };
  const small: SmallSections = { merchants: [], campaigns: [], family: [], hotlist: [] };
  const refs = new FixtureRefs();
  let members = 0;
  let lastBytes = -1;
  try {
    for await (const e of jsonSections(file)) {
      // a new chunk: everything of the one before is counted
      if (e.bytesRead !== lastBytes) {
        if (lastBytes >= 0) progress({ phase: 'checking', bytes: lastBytes, totalBytes, members });
        lastBytes = e.bytesRead;
      }
      if (!isSection(e.section)) {
        if (e.index === 0) problem(`(root): unknown key "${e.section}"`);
        continue;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(e.text);
      } catch (err) {
        problem(`${e.section}[${e.index}]: not valid JSON (${(err as Error).message})`);
        continue;
      }
      const parsed = FIXTURE_SECTIONS[e.section].safeParse(raw);
      if (!parsed.success) {
        for (const i of parsed.error.issues) problem(formatIssue({ ...i, path: [e.section, e.index, ...i.path] }));
        continue;
      }
      const v = parsed.data;
      if (e.section === 'members') {
        refs.member(v as Fixture['members'][number], e.index);
        members += 1;
      } else if (e.section === 'campaigns') {
        refs.campaign(v as Campaign, e.index);
        small.campaigns.push(v as Campaign);
      } else if (e.section === 'merchants') {
        refs.merchant(v as Fixture['merchants'][number]);
        small.merchants.push(v as Fixture['merchants'][number]);
      } else if (e.section === 'family') {
        refs.family(v as Fixture['family'][number], e.index);
        small.family.push(v as Fixture['family'][number]);
      } else small.hotlist.push(v as Fixture['hotlist'][number]);
    }
  } catch (err) {
    if (err instanceof JsonSectionsError) throw new FixtureFileError([err.message]);
    throw err;
  }
  for (const i of refs.finish()) problem(formatIssue(i));
  if (more > 0) issues.push(`… and ${more} more`);
  if (issues.length > 0) throw new FixtureFileError(issues);
  progress({ phase: 'checking', bytes: totalBytes, totalBytes, members });
  return small;
}

/** How the second pass commits: in one transaction unless `partsMs` is set. */
export interface LoadCommits {
  /**
   * Beside a running gateway: commit after each part that has held the database this long, so the
   * gateway's own writes (redemptions) wait at most about that long instead of the whole load.
   */
  partsMs?: number;
  /** Between parts, the database is left to others this long. */
  pauseMs?: number;
  /** Monotonic milliseconds (injected by tests); performance.now by default. */
  now?: () => number;
  /** Called after each commit. */
  onCommit?: () => void;
}

/**
 * `linli load` of a JSON file of any size: checked in a first pass (nothing written if anything is
 * wrong), then loaded in a second pass in one transaction: all of it or nothing, as `loadFixture`.
 * Beside a running gateway (`commits.partsMs`) the second pass commits in parts instead, members whole
 * (with their cards, benefits and balances) and hotlisted cards blocked as they are written; a load
 * stopped half-way is completed by running it again (every write is an upsert or sets a balance).
 * Memory stays that of one member and the small sections, whatever the number of members.
 */
export async function loadFixtureFile(
  db: Db,
  catalog: CatalogRepo,
  secrets: GatewaySecrets,
  balances: OpeningBalances,
  file: string,
  now: number,
  progress: (p: LoadProgress) => void = () => undefined,
  commits: LoadCommits = {},
): Promise<LoadSummary> {
  const small = await check(file, progress);
  const totalBytes = statSync(file).size;
  const hotlisted = new Set(small.hotlist.map((c) => cardLookupKey(secrets, c)));
  const w = new FixtureWriter(catalog, secrets, balances, now, hotlisted);
  const member = FIXTURE_SECTIONS.members;
  const clock = commits.now ?? (() => performance.now());
  let partStartedAt = 0;
  const begin = () => {
    db.exec('BEGIN IMMEDIATE');
    partStartedAt = clock();
  };
  const commit = () => {
    db.exec('COMMIT');
    commits.onCommit?.();
  };
  // one transaction (or part) across the awaits of the file's reads: nothing else in this process writes meanwhile
  begin();
  try {
    for (const m of small.merchants) w.merchant(m);
    for (const c of small.campaigns) w.campaign(c);
    let lastBytes = -1;
    for await (const e of jsonSections(file)) {
      if (e.bytesRead !== lastBytes) {
        if (lastBytes >= 0) progress({ phase: 'loading', bytes: lastBytes, totalBytes, members: w.summary.members });
        lastBytes = e.bytesRead;
      }
      if (e.section !== 'members') continue;
      // checked in the first pass; parsed again for the defaults the schema fills in
      w.member(member.parse(JSON.parse(e.text)));
      if (commits.partsMs !== undefined && clock() - partStartedAt >= commits.partsMs) {
        commit();
        await new Promise((r) => setTimeout(r, commits.pauseMs ?? 0));
        begin();
      }
    }
    for (const p of small.family) w.familyLink(p);
    for (const card of small.hotlist) w.hotlisted(card);
    commit();
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
  progress({ phase: 'loading', bytes: totalBytes, totalBytes, members: w.summary.members });
  return w.summary;
}
