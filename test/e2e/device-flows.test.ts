import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { tapDoor } from '../../devices/door-reader/sim-flow.ts';
import { depositParcel, pickUp } from '../../devices/parcel-locker/sim-flow.ts';
import { scanAndPay } from '../../devices/shop-scanner/sim-flow.ts';
import { vendOnce } from '../../devices/vending-machine/sim-flow.ts';
import { demoResidents, fleetIds, SimFleet, type SimDevice } from '../../sim/src/index.ts';
import { seededRng } from '../../sim/src/prng.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { doorsOf, lockerOf } from '../support/kind-parts.ts';

/**
 * The simulator's twins drive every flow through the real broker and gateway, then every scenario runs
 * for a bounded time; after each, the money and the parcels must add up exactly.
 */
describe('device flows end to end with simulated devices', () => {
  let h: Harness;
  let fleet: SimFleet;
  const residents = demoResidents();
  const rng = seededRng(11);
  const dev = (id: string) => fleet.devices.find((d) => d.id === id) as SimDevice;
  const held = () =>
    (h.gw.store.db.prepare("SELECT COUNT(*) AS n FROM redemptions WHERE state = 'held'").get() as { n: number }).n;
  const finding = (id: string, code: string) =>
    h.gw.monitor.get(id)?.verdict.reasons.some((r) => r.code === code) === true;

  beforeAll(async () => {
    h = await startGateway({ health: { doorOpenAlertS: 1 }, flows: { vending: { vendResultS: 5 } } } as never);
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FixtureSchema.parse(demoFixture())))();
    const plan = { lockers: 1, vending: 2, doors: 1, scanners: 4 };
    const credentials = [];
    for (const d of fleetIds(plan))
      credentials.push({ id: d.id, kind: d.kind, secret: (await h.gw.devices.provision(d)).secret });
    for (const tier of ['regular', 'silver', 'gold'])
      doorsOf(h.gw).accessRepo.addRule({
        id: `t-${tier}`,
        tier,
        zone: 'residential',
        weekdays: '1234567',
        fromMin: 0,
        toMin: 1440,
      });
    doorsOf(h.gw).accessRepo.setZone('door-01', 'main', 'residential');
    fleet = new SimFleet({ url: h.mqttUrl, credentials });
    await fleet.start();
    await waitFor(() => fleet.devices.every((d) => d.born), 'every simulated device born', 15_000);
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    await h?.stop();
  });

  it('vending twin: card first and selection first, success and failure, money exact', async () => {
    const r1 = residents.members[0];
    const r2 = residents.members[1];
    if (!r1 || !r2) throw new Error('no residents');
    const outcomes = [];
    for (let i = 0; i < 6; i++)
      outcomes.push(
        (
          await vendOnce(dev('vm-01'), i % 2 ? r1.uid : r2.uid, rng, {
            selectionFirst: i >= 3,
            failRate: i % 3 === 0 ? 1 : 0,
          })
        ).result,
      );
    expect(outcomes.filter((o) => o === 'vend_failed_refunded').length).toBe(2);
    expect(outcomes.filter((o) => o === 'vended' || o === 'declined').length).toBe(4);
    expect(held()).toBe(0);
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  });

  it('locker twin: a courier deposits, the resident picks up by card; the code of another is single use', async () => {
    const [a, b] = residents.members;
    if (!a || !b) throw new Error('no residents');
    expect(await depositParcel(dev('locker-01'), a.id, 'M')).toMatchObject({ decision: 'approved' });
    expect(await depositParcel(dev('locker-01'), b.id, 'S')).toMatchObject({ decision: 'approved' });
    await waitFor(
      () => lockerOf(h.gw).parcels.list({ lockerId: 'locker-01', status: 'stored', limit: 10 }).length === 2,
      'stored',
    );
    expect(await pickUp(dev('locker-01'), { uid: a.uid })).toMatchObject({ decision: 'approved' });
    const code = (lockerOf(h.gw).parcels.notices(b.id).at(-1)?.payload as { code: string } | undefined)?.code ?? '';
    expect(await pickUp(dev('locker-01'), { code })).toMatchObject({ decision: 'approved' });
    await waitFor(
      () => lockerOf(h.gw).parcels.list({ lockerId: 'locker-01', status: 'picked_up', limit: 10 }).length === 2,
      'picked up',
    );
    expect(await pickUp(dev('locker-01'), { code })).toMatchObject({ declineCode: 'CODE_INVALID' });
  });

  it('door twin: residents come home; the access log has every tap', async () => {
    const [a] = residents.members;
    if (!a) throw new Error('no residents');
    expect(await tapDoor(dev('door-01'), a.uid)).toMatchObject({ decision: 'approved', unlock: { door: 'main' } });
    expect(await tapDoor(dev('door-01'), '04FFFFFFFF')).toMatchObject({ status: 'error', code: 'MEMBER_NOT_FOUND' });
    expect(
      doorsOf(h.gw)
        .accessRepo.recent('door-01', 5)
        .map((e) => e.reason),
    ).toEqual(['MEMBER_NOT_FOUND', `RULE:t-${h.gw.redemption.catalog.member(a.id)?.tier ?? ''}`]);
  });

  it('scanner twin: the cashier double-submits a bill, it is redeemed once', async () => {
    const [a] = residents.members;
    if (!a) throw new Error('no residents');
    const before = (h.gw.store.db.prepare('SELECT COUNT(*) AS n FROM redemptions').get() as { n: number }).n;
    const r = await scanAndPay(dev('scanner-04'), a.uid, 1500, { submitTwice: true });
    expect(r.second).toEqual(r.first);
    expect((h.gw.store.db.prepare('SELECT COUNT(*) AS n FROM redemptions').get() as { n: number }).n).toBe(before + 1);
  });

  /**
   * Runs a scenario until `done` holds (or a generous deadline passes: then the test fails, it never
   * passes on a slow machine by accident), then waits until every flow it started has ended.
   */
  const run = async (name: string, done: () => boolean, what: string, intervalMs = 150) => {
    fleet.runScenario(name, { residents, intervalMs, seed: 5 });
    try {
      await waitFor(done, what, 60_000);
    } finally {
      fleet.stopScenarios();
    }
    await fleet.idle();
  };
  const count = (sql: string) => (h.gw.store.db.prepare(sql).get() as { n: number }).n;

  it('scenario morning-rush at the breakfast stall: ' +
    'many bills, double submissions redeemed once, ledger exact', async () => {
    const bills = () => count("SELECT COUNT(*) AS n FROM redemptions WHERE merchant_id = 'breakfast-01'");
    const before = bills();
    await run('morning-rush', () => bills() - before > 20, 'more than 20 bills at the breakfast stall');
    const dupTxns = h.gw.store.db
      .prepare('SELECT device_id, txn_id, COUNT(*) AS n FROM redemptions GROUP BY device_id, txn_id HAVING n > 1')
      .all();
    expect(dupTxns).toEqual([]);
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  }, 90_000);

  it('scenario holiday-peak and vend-failures: every hold is settled, late failures refunded once', async () => {
    const vends = () => count("SELECT COUNT(*) AS n FROM redemptions WHERE device_id LIKE 'vm-%'");
    const voided = () => count("SELECT COUNT(*) AS n FROM redemptions WHERE state = 'voided'");
    const before = { vends: vends(), voided: voided() };
    await run('holiday-peak', () => vends() - before.vends >= 10, 'ten vends in the holiday peak');
    await run('vend-failures', () => voided() - before.voided >= 3, 'three vends failed and refunded', 300);
    await waitFor(() => held() === 0, 'no hold left', 20_000);
    // refunds: one void movement per voided redemption, never two
    const doubles = h.gw.store.db
      .prepare(
        "SELECT redemption_id, COUNT(*) AS n FROM ledger WHERE reason IN ('void', 'expiry') " +
          "AND delta > 0 AND account LIKE 'wallet:%' GROUP BY redemption_id HAVING n > 1",
      )
      .all();
    expect(doubles).toEqual([]);
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  }, 120_000);

  it('scenario locker-full: deposits until the bank is full, then pickups; ' +
    'no compartment holds two parcels', async () => {
    const inUse = () =>
      lockerOf(h.gw)
        .parcels.list({ lockerId: 'locker-01', limit: 1000 })
        .filter((p) => ['depositing', 'stored', 'opening'].includes(p.status));
    await run('locker-full', () => inUse().length > 15, 'more than 15 compartments in use', 100);
    const full = inUse();
    expect(new Set(full.map((p) => p.compartment)).size).toBe(full.length);
    expect(full.length).toBeGreaterThan(15);
  }, 90_000);

  it('scenario door-left-open: the alert is raised', async () => {
    // doorOpenAlertS is 1 s on this gateway's real clock: its own ticker raises the alert
    await run(
      'door-left-open',
      () => finding('door-01', 'DOOR_LEFT_OPEN') || finding('door-01', 'DOOR_FORCED'),
      'a door alert',
      200,
    );
  }, 90_000);
});
