import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../gateway/app.ts';
import { LedgerAnchorSchema, type LedgerAnchor } from '../../gateway/cloud/contract/events-ledger.ts';
import { LedgerAnchors, type ChainRewrite } from '../../gateway/cloud/ledger-anchors.ts';
import { ConfigSchema } from '../../gateway/config/schema.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { SqliteLedger } from '../../gateway/redemption/ledger/sqlite-ledger.ts';
import { closeDatabase, openDatabase, type Db } from '../../gateway/store/db.ts';
import { CloudTwin } from '../../sim/src/cloud-twin.ts';
import { waitFor } from '../support/gateway-harness.ts';
import { Mosquitto } from '../support/mosquitto.ts';
import { tempDir } from '../support/tmp.ts';
import { forgeChain } from './forge-chain.ts';

/** Movements today (a daily close has no year of empty days to close). */
const T0 = Date.now();

/** A member topped up once (2 entries, from 0), then spending `n` times (2 entries each). */
function spend(db: Db, from: number, n: number): void {
  const ledger = new SqliteLedger(db);
  db.transaction(() => {
    if (from === 0)
      ledger.append([
        {
          at: T0 - 1,
          txnId: 'top',
          redemptionId: 'top',
          account: 'issuer:stored-value',
          asset: 'fen',
          delta: -10_000,
          reason: 'topup',
        },
        {
          at: T0 - 1,
          txnId: 'top',
          redemptionId: 'top',
          account: 'wallet:m-1',
          asset: 'fen',
          delta: 10_000,
          reason: 'topup',
        },
      ]);
    for (let i = from; i < from + n; i++)
      ledger.append([
        {
          at: T0 + i,
          txnId: `t-${i}`,
          redemptionId: `r-${i}`,
          account: 'wallet:m-1',
          asset: 'fen',
          delta: -100,
          reason: 'capture',
        },
        {
          at: T0 + i,
          txnId: `t-${i}`,
          redemptionId: `r-${i}`,
          account: 'merchant:cafe-01',
          asset: 'fen',
          delta: 100,
          reason: 'capture',
        },
      ]);
  })();
}

/**
 * What someone holding the file does to hide a change: rewrites an entry and recomputes every hash after it,
 * so the chain is consistent in itself again and `ledger verify` passes.
 */
function rewriteChain(db: Db, seq: number, delta: number): void {
  forgeChain(db, (r) => (r.seq === seq ? { ...r, delta } : r.seq === seq + 1 ? { ...r, delta: -delta } : r));
  db.exec(`CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN
    SELECT RAISE(ABORT, 'ledger is append-only'); END;`);
  // balances follow, as a careful forger's would
  db.exec(`DELETE FROM balances; INSERT INTO balances (account, asset, balance)
    SELECT account, asset, SUM(delta) FROM ledger GROUP BY account, asset;`);
}

describe('ledger anchors [CLP-4.12]', () => {
  const tmp = tempDir('linli-anchor-');
  afterAll(() => tmp.cleanup());

  it('anchors the tip when the chain grew, names the previous anchor as the chain holds it, and sees a rewrite', () => {
    const db = openDatabase(join(tmp.dir, 'unit', 'linli.db'));
    const sent: LedgerAnchor[] = [];
    const rewrites: ChainRewrite[] = [];
    let now = 5_000;
    const anchors = new LedgerAnchors({
      db,
      outbox: {
        append: (stream, kind, data) => {
          expect([stream, kind]).toEqual(['money', 'ledger.anchor']);
          sent.push(LedgerAnchorSchema.parse(data));
        },
      },
      clock: { now: () => now },
      epoch: () => 'e1',
      log: silentLogger(),
      onRewrite: (r) => rewrites.push(r),
    });
    expect(anchors.anchor()).toBeUndefined(); // an empty ledger has nothing to anchor
    spend(db, 0, 3);
    const first = anchors.anchor();
    const tip = db.prepare('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1').get() as {
      seq: number;
      hash: string;
    };
    expect(first).toEqual({ tip, entries: 8, at: 5_000 });
    now += 1;
    expect(anchors.anchor()).toBeUndefined(); // nothing new
    spend(db, 3, 2);
    const second = anchors.anchor();
    expect(second?.previous).toEqual({ seq: tip.seq, hash: tip.hash, epoch: 'e1' });
    expect(second?.tip.seq).toBe(12);
    expect(rewrites).toEqual([]);

    rewriteChain(db, 3, -1);
    expect(verifyLedger(db).ok).toBe(true); // consistent in itself: only an anchor can tell
    spend(db, 5, 1);
    const third = anchors.anchor();
    expect(third?.previous?.seq).toBe(12);
    expect(third?.previous?.hash).not.toBe(second?.tip.hash);
    expect(rewrites).toEqual([{ seq: 12, anchored: second?.tip.hash, now: third?.previous?.hash }]);
    expect(sent).toHaveLength(3);
    closeDatabase(db);
  });

  describe('the cloud sees a chain rewritten while the gateway was off', () => {
    let mosq: Mosquitto;
    let twin: CloudTwin;
    const dataDir = join(tmp.dir, 'gw');
    beforeAll(async () => {
      mosq = await new Mosquitto().start();
      twin = new CloudTwin({ url: mosq.url, clientId: 'twin-anchor' });
      await twin.start();
    });
    afterAll(async () => {
      await twin.stop();
      await mosq.dispose();
    });

    const run = async (during: (gw: Gateway) => Promise<void>) => {
      const config = ConfigSchema.parse({
        gateway: { id: 'gw-anchor' },
        dataDir,
        mqtt: { host: '127.0.0.1', port: 0, plaintext: true, tls: { enabled: false } },
        http: { host: '127.0.0.1', port: 0 },
        log: { level: 'silent' },
        cloud: {
          enabled: true,
          url: mosq.url,
          signingKeys: [{ kid: 'k', publicKey: 'A'.repeat(43) }],
          reconnectMinMs: 200,
          reconnectMaxMs: 1000,
          ackTimeoutS: 2,
        },
      });
      const gw = new Gateway(config, silentLogger());
      await gw.start();
      try {
        await waitFor(() => gw.cloud?.isConnected === true, 'connected to the cloud broker');
        await during(gw);
        await waitFor(() => (gw.outbox?.backlog().reduce((s, b) => s + b.events, 0) ?? 1) === 0, 'outbox drained');
      } finally {
        await gw.stop();
      }
    };
    const anchorsAtCloud = () =>
      twin
        .stream('gw-anchor', 'money')
        .events.filter((e) => e.kind === 'ledger.anchor')
        .map((e) => e.data as LedgerAnchor);

    it('an honest restart agrees with what the cloud holds; a rewritten chain does not', async () => {
      await run(async (gw) => {
        spend(gw.store.db, 0, 4);
        await gw.anchorLedger?.();
      });
      await run(async (gw) => {
        spend(gw.store.db, 4, 2);
        await gw.anchorLedger?.();
      });
      expect(anchorsAtCloud().map((a) => a.tip.seq)).toEqual([10, 14]);
      expect(twin.ledgerRewrites).toEqual([]);

      const db = openDatabase(join(dataDir, 'linli.db'));
      rewriteChain(db, 5, -1); // a 1 fen payment where there was one of 100
      expect(verifyLedger(db).ok).toBe(true);
      closeDatabase(db);

      // the anchor at start names entry 14 as the chain holds it now
      await run(async () => {
        await waitFor(() => anchorsAtCloud().length === 3, 'the anchor sent at start');
      });
      expect(twin.ledgerRewrites).toEqual([
        expect.objectContaining({ gatewayId: 'gw-anchor', seq: 14, expected: anchorsAtCloud()[1]?.tip.hash }),
      ]);
    });
  });
});
