import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBackup } from '../../gateway/backup/make-backup.ts';
import { restoreBackup } from '../../gateway/backup/restore-backup.ts';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { linliProcess } from '../cli/cli-support.ts';
import { startGateway, type Harness } from '../support/gateway-harness.ts';
import { tempDir } from '../support/tmp.ts';
import { FAST_SCRYPT, PASS } from './backup-support.ts';

// under the anonymous card cap (¥1,000): the load is about backups, not caps
const START_FEN = 50_000;

/** Redemptions of 1 fen each, one after the other, until stopped: the gateway's writer is never idle. */
function load(h: Harness) {
  let running = true;
  let approved = 0;
  let other = 0;
  let i = 0;
  const done = (async () => {
    while (running) {
      i += 1;
      const r = await h.gw.redemption.service.redeem({
        txnId: `load-${i}`,
        memberId: 'm-1',
        trust: 'high',
        purchase: {
          merchantId: 'vm-01',
          deviceId: 'vm-01',
          items: [{ productId: 'milk', unitPriceFen: 1, qty: 1 }],
          at: Date.now(),
        },
      });
      if (r.status === 'approved') approved += 1;
      else other += 1;
    }
  })();
  return {
    approved: () => approved,
    other: () => other,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** What a restored box holds: its ledger verifies and no fen was lost or made (1 fen per redemption). */
function conserved(dbFile: string): { redemptions: number } {
  const db = new Database(dbFile, { readonly: true });
  try {
    expect(verifyLedger(db).ok).toBe(true);
    const redemptions = (
      db.prepare("SELECT count(*) AS n FROM redemptions WHERE state = 'captured'").get() as {
        n: number;
      }
    ).n;
    expect(new SqliteLedger(db).balance(account.wallet('m-1'), 'fen')).toBe(START_FEN - redemptions);
    return { redemptions };
  } finally {
    db.close();
  }
}

describe('a backup beside a running gateway under load', () => {
  let h: Harness;
  const captured = () =>
    (h.gw.store.reader.prepare("SELECT count(*) AS n FROM redemptions WHERE state = 'captured'").get() as { n: number })
      .n;
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    h = await startGateway();
    loadInto(h.gw.store, h.dataDir, FixtureSchema.parse({ members: [{ id: 'm-1', walletFen: START_FEN }] }));
    tmp = tempDir('linli-load-');
    mkdirSync(join(tmp.dir, 'stick'));
  });
  afterAll(async () => {
    await h.stop();
    tmp.cleanup();
  });

  it("from the gateway's own connection in steps: redemptions go on meanwhile; the snapshot verifies", async () => {
    const l = load(h);
    while (l.approved() < 20) await new Promise((r) => setTimeout(r, 5));
    const before = l.approved();
    const lo = captured();
    const r = await makeBackup({
      dataDir: h.dataDir,
      gatewayId: 'linli-gw',
      secret: PASS,
      target: join(tmp.dir, 'stick'),
      source: h.gw.store.db,
      now: () => Date.now(),
      scrypt: FAST_SCRYPT,
    });
    const during = l.approved() - before;
    const hi = captured();
    await l.stop();
    expect(l.other()).toBe(0);
    expect(during).toBeGreaterThan(0);
    const fresh = join(tmp.dir, 'restored-steps');
    await restoreBackup({ file: r.file, dataDir: fresh, secret: PASS, now: () => Date.now() });
    const { redemptions } = conserved(join(fresh, 'linli.db'));
    expect(redemptions).toBeGreaterThanOrEqual(lo);
    expect(redemptions).toBeLessThanOrEqual(hi);
  });

  it('`linli backup` as its own process beside it: the gateway answers throughout; the snapshot verifies', async () => {
    const l = load(h);
    while (l.approved() < 20) await new Promise((r) => setTimeout(r, 5));
    const before = l.approved();
    const lo = captured();
    const cli = await linliProcess(['backup', '--data', h.dataDir, '--out', join(tmp.dir, 'stick'), '--json'], {
      env: { LINLI_BACKUP_PASSPHRASE: 'a passphrase long enough' },
    });
    const during = l.approved() - before;
    const hi = captured();
    await l.stop();
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(l.other()).toBe(0);
    expect(during).toBeGreaterThan(0);
    const made = JSON.parse(cli.stdout) as { file: string; ledger: { entries: number } };
    const fresh = join(tmp.dir, 'restored-cli');
    await restoreBackup({
      file: made.file,
      dataDir: fresh,
      secret: { passphrase: 'a passphrase long enough' },
      now: () => Date.now(),
    });
    const { redemptions } = conserved(join(fresh, 'linli.db'));
    expect(redemptions).toBeGreaterThanOrEqual(lo);
    expect(redemptions).toBeLessThanOrEqual(hi);
  });
});
