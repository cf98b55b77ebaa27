import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { systemClock } from '../core/clock.ts';
import { formatConfigIssues } from '../config/load.ts';
import { demoFixture } from '../redemption/demo-fixture.ts';
import { FixtureSchema, type Fixture } from '../redemption/fixture.ts';
import { verifyLedger } from '../redemption/ledger/ledger-verify.ts';
import { CappedLedger } from '../prepaid/capped-ledger.ts';
import { CardCaps } from '../prepaid/card-caps.ts';
import { verifyCloses } from '../prepaid/close-chain.ts';
import { PrepaidConfigSchema } from '../prepaid/prepaid-config.ts';
import type { Config } from '../config/schema.ts';
import { loadFixture, type LoadSummary } from '../redemption/load-fixture.ts';
import { FixtureFileError, loadFixtureFile } from '../redemption/load-fixture-file.ts';
import { LedgerOpeningBalances } from '../redemption/opening-balances.ts';
import { CatalogRepo } from '../redemption/store/catalog-repo.ts';
import { GatewaySecrets } from '../security/gateway-secrets.ts';
import { DataFolderLock } from '../store/data-lock.ts';
import type { Store } from '../store/store.ts';
import { print, withDataOptions, withStore, type CommonOptions } from './common.ts';
import { progressBar } from './progress-bar.ts';
import { UserError } from './user-error.ts';

const DEFAULT_CAPS = PrepaidConfigSchema.parse({}).caps;

/** Parses and validates a fixture file; every problem is named by its exact path. */
function readFixture(file: string): Fixture {
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UserError(
      `${file} is not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ` +
        `${(err as Error).message.split('\n')[0] ?? ''}`,
      'fix the file; JSON or YAML with merchants, campaigns, members',
      2,
    );
  }
  const parsed = FixtureSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError(
      `invalid fixture ${file}:\n${formatConfigIssues(parsed.error)
        .map((p) => `  - ${p}`)
        .join('\n')}`,
      'fix the entries named above; `linli load --demo` loads the built-in example',
      2,
    );
  return parsed.data;
}

/**
 * Loads members, cards, campaigns and balances into a gateway database (what cloud sync will do later). An
 * opening balance over its card type's cap refuses the whole load (PREPAID_CAP_EXCEEDED, gateway/prepaid).
 */
export function loadInto(store: Store, dataDir: string, fixture: Fixture, caps = DEFAULT_CAPS) {
  const ledger = new CappedLedger(store.db, new CardCaps(store.db, caps));
  return loadFixture(
    store.db,
    new CatalogRepo(store.db),
    GatewaySecrets.loadOrCreate(dataDir),
    new LedgerOpeningBalances(ledger),
    fixture,
    systemClock.now(),
  );
}

export function loadCommand(): Command {
  return withDataOptions(
    new Command('load')
      .description('load members, cards, campaigns, benefits and balances from a JSON or YAML fixture (all or nothing)')
      .argument('[file]', 'fixture file')
      .option('--demo', 'load the built-in demo community instead of a file'),
  ).action(async (file: string | undefined, opts: CommonOptions & { demo?: boolean }, cmd: Command) => {
    if (!file && !opts.demo)
      throw new UserError(
        'give a fixture FILE or --demo',
        'e.g. linli load community.yaml --data DIR, or linli load --demo --data DIR',
        2,
      );
    if (file && extname(file).toLowerCase() === '.json') {
      // the bar goes where the CLI's errors go (stderr), so `--json` output stays one document on stdout
      const writeErr = cmd.configureOutput().writeErr ?? ((t: string) => process.stderr.write(t));
      const bar = progressBar({ isTTY: process.stderr.isTTY, write: writeErr });
      await withStore(opts, (store, config) => loadJsonFile(store, config, file, opts, bar));
      return;
    }
    const fixture = file ? readFixture(file) : FixtureSchema.parse(demoFixture());
    await withStore(opts, (store, config) =>
      printSummary(opts, loadInto(store, config.dataDir, fixture, config.prepaid.caps)),
    );
  });
}

/** Beside a running gateway: the longest a part of a load holds the database, and the pause after it. */
const PART_MS = 50;
const PART_PAUSE_MS = 20;

function printSummary(opts: CommonOptions, summary: LoadSummary, parts?: number): void {
  print(
    opts,
    parts === undefined ? summary : { ...summary, parts },
    `loaded ${summary.members} members, ${summary.cards} cards, ${summary.campaigns} campaigns, ` +
      `${summary.benefits} benefits, ${summary.familyLinks} family links; ${summary.blocked} cards blocked` +
      (parts === undefined
        ? ''
        : `\nbeside the running gateway, in ${parts} parts of at most ${PART_MS} ms each: it served meanwhile ` +
          '(a load stopped half-way is completed by running it again)'),
  );
}

/** A JSON file of any size: streamed in two passes (check, then load) with a progress bar on stderr. */
async function loadJsonFile(
  store: Store,
  { dataDir, prepaid }: Pick<Config, 'dataDir' | 'prepaid'>,
  file: string,
  opts: CommonOptions,
  bar: ReturnType<typeof progressBar>,
): Promise<void> {
  const count = new Intl.NumberFormat('en');
  // beside a running gateway, a part of the load holds the database at most PART_MS: redemptions go on
  const beside = DataFolderLock.heldByAnother(dataDir);
  let parts = 0;
  try {
    const summary = await loadFixtureFile(
      store.db,
      new CatalogRepo(store.db),
      GatewaySecrets.loadOrCreate(dataDir),
      new LedgerOpeningBalances(new CappedLedger(store.db, new CardCaps(store.db, prepaid.caps))),
      file,
      systemClock.now(),
      (p) => bar.update(p.phase, p.bytes / Math.max(1, p.totalBytes), `${count.format(p.members)} members`),
      beside
        ? {
            partsMs: PART_MS,
            pauseMs: PART_PAUSE_MS,
            onCommit: () => {
              parts += 1;
            },
          }
        : {},
    );
    bar.done();
    printSummary(opts, summary, beside ? parts : undefined);
  } catch (err) {
    bar.done();
    if (err instanceof FixtureFileError)
      throw new UserError(
        `invalid fixture ${file} (nothing was loaded):\n${err.issues.map((p) => `  - ${p}`).join('\n')}`,
        'fix the entries named above; `linli load --demo` loads the built-in example',
        2,
      );
    throw err;
  }
}

export function ledgerCommand(): Command {
  const cmd = new Command('ledger').description('the hash-chained ledger of money, points and uses');
  cmd.addCommand(
    withDataOptions(
      new Command('verify').description(
        'check the hash chain, sequence, double entry and that every balance equals the ledger sum',
      ),
    ).action(async (opts: CommonOptions) => {
      await withStore(opts, (store) => {
        const ledger = verifyLedger(store.db);
        // the daily closes pin the ledger's tip: a ledger rewritten after a close is caught there too
        const closes = verifyCloses(store.db);
        const accountOf = (p: object) => ('account' in p && p.account ? ` ${String(p.account)}` : '');
        const r = {
          ...ledger,
          ok: ledger.ok && closes.ok,
          closes: closes.closes,
          problems: [...ledger.problems, ...closes.problems],
        };
        print(
          opts,
          r,
          r.ok
            ? `ledger OK: ${r.entries} entries, ${r.accounts} accounts, ${r.closes} daily closes`
            : `LEDGER PROBLEMS (${r.problems.length}):\n` +
                r.problems
                  .map((p) => `  - ${p.kind}${p.seq ? ` at seq ${p.seq}` : ''}${accountOf(p)}: ${p.detail}`)
                  .join('\n'),
        );
        if (!r.ok) process.exitCode = 3;
      });
    }),
  );
  return cmd;
}
