import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { demoResidents, fleetIds, SimFleet, type SimDevice } from '../../sim/src/index.ts';
import { present } from '../../sim/src/flows/credential.ts';
import { presentedBy } from '../../sim/src/resident.ts';
import { startGateway, waitFor, type Harness } from '../../test/support/gateway-harness.ts';
import { charge } from './sim-flow.ts';
import type { ChargingPileModel } from './sim-twin.ts';

/** The simulator's pile twin through the real broker and gateway, in the demo community. */
describe('charging pile twin end to end', () => {
  let h: Harness;
  let fleet: SimFleet;
  const residents = demoResidents();
  const count = (sql: string) => (h.gw.store.db.prepare(sql).get() as { n: number }).n;

  const community = FixtureSchema.parse(demoFixture());
  const member = (id: string) => community.members.find((m) => m.id === id);

  beforeAll(async () => {
    // a Tuesday noon: no member-day discount, no evening offers
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 4));
    h = await startGateway({ health: { faultClearS: 0 } } as never, { clock });
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FixtureSchema.parse(demoFixture())))();
    const credentials = [];
    for (const d of fleetIds({ piles: 1 }))
      credentials.push({ id: d.id, kind: d.kind, secret: (await h.gw.devices.provision(d)).secret });
    fleet = new SimFleet({ url: h.mqttUrl, credentials });
    await fleet.start();
    await waitFor(() => fleet.devices.every((d) => d.born), 'the pile born', 15_000);
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    await h?.stop();
  });

  const pile = () => fleet.devices[0] as SimDevice;

  it('residents charge: the hold, the settlement by the meter, a monthly card holder pays nothing', async () => {
    const holds = (id: string, campaign: string) => member(id)?.benefits.some((b) => b.campaignId === campaign);
    const holder = residents.members.find((r) => holds(r.id, 'ebike-monthly-card'));
    const payer = residents.members.find((r) => {
      const m = member(r.id);
      return (
        m?.tier === 'regular' &&
        m.walletFen >= 800 &&
        !holds(r.id, 'ebike-monthly-card') &&
        !holds(r.id, 'charge-mj-5-1')
      );
    });
    if (!holder || !payer) throw new Error('the demo community has no such residents');
    const paid = await charge(pile(), present(presentedBy(payer)), { socket: '1', hours: 4, minutes: 95 });
    expect(paid.begin).toMatchObject({ decision: 'approved', state: 'held', payableFen: 400 });
    expect(paid.end).toMatchObject({ decision: 'approved', state: 'captured', payableFen: 200 });
    const free = await charge(pile(), present(presentedBy(holder)), {
      socket: '2',
      hours: 3,
      minutes: 170,
      reason: 'full',
    });
    expect(free.end).toMatchObject({ decision: 'approved', payableFen: 0, savingFen: 300 });
    expect(count("SELECT COUNT(*) AS n FROM charging_sessions WHERE state = 'settled'")).toBe(2);
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  });

  it('an overheating socket is cut by the gateway and shows as a fault', async () => {
    const model = pile().model as ChargingPileModel;
    model.overload('5', 3, 79);
    pile().sendTelemetryNow();
    await waitFor(() => model.cutReason('5') === 'over_temperature', 'the socket cut');
    await waitFor(
      () => h.gw.monitor.get(pile().id)?.verdict.reasons.some((r) => r.code === 'OVER_TEMPERATURE') === true,
      'the fault',
    );
  });

  it('scenario daily-life with piles: every charge settles, no hold left behind, ledger exact', async () => {
    const settled = () => count("SELECT COUNT(*) AS n FROM charging_sessions WHERE state = 'settled'");
    const before = settled();
    fleet.runScenario('daily-life', { residents, intervalMs: 100, seed: 9 });
    try {
      await waitFor(() => settled() - before >= 5, 'five more charges settled', 60_000);
    } finally {
      fleet.stopScenarios();
    }
    await fleet.idle();
    expect(count("SELECT COUNT(*) AS n FROM charging_sessions WHERE state IN ('pending', 'charging')")).toBe(0);
    expect(count("SELECT COUNT(*) AS n FROM redemptions WHERE state = 'held'")).toBe(0);
    expect(verifyLedger(h.gw.store.db).problems).toEqual([]);
  });
});
