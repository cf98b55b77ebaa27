import { shopScannerWire } from '../../devices/shop-scanner/wire.ts';
import { vendingMachineWire } from '../../devices/vending-machine/wire.ts';
import { parcelLockerWire } from '../../devices/parcel-locker/wire.ts';
import { doorReaderWire } from '../../devices/door-reader/wire.ts';
import type { Logger } from '../../gateway/core/log.ts';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema, type Fixture } from '../../gateway/redemption/fixture.ts';
import { tapDoor } from './flows/door.ts';
import { depositParcel, pickUp } from './flows/locker.ts';
import { scanAndPay } from './flows/scanner.ts';
import { vendOnce } from './flows/vending.ts';
import { seededRng } from './prng.ts';
import { plainCard, presentedBy, type Resident, type Residents } from './resident.ts';
import type { SimDevice } from './sim-device.ts';

type Member = Fixture['members'][number];

/** One thing the opening shows, and what came of it. */
interface TourStop {
  what: string;
  outcome: string;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const merchantOf = (d: SimDevice) => (d.model.capabilities as { merchantId?: string }).merchantId;

/**
 * The demo's opening, within its first minute: one of each thing the gateway does, each by a resident
 * the demo community holds who can afford it — a café bill over the 满50减10 threshold with the coupon,
 * a vend whose item does not drop (refunded), a vend that goes through (points), a parcel deposited and
 * picked up by card, a fresh-food bill with the weekly card and a second milk half price, a door.
 * Random daily life follows; this makes sure a newcomer sees every part at once.
 */
interface OpeningOptions {
  pauseMs?: number;
  signal?: AbortSignal;
  /**
   * What the gateway holds now (the demo asks its own gateway): a member's wallet in fen, and whether a
   * benefit of theirs is still usable. Without it, the community's opening figures are assumed.
   */
  holds?: { walletFen(memberId: string): number; usable(memberId: string, campaignId: string): boolean };
}

export async function demoOpening(
  devices: readonly SimDevice[],
  residents: Residents,
  log: Logger,
  opts: OpeningOptions = {},
): Promise<TourStop[]> {
  const community = FixtureSchema.parse(demoFixture());
  const byId = new Map(community.members.map((m) => [m.id, m]));
  const used = new Set<string>();
  // a resident who holds `benefit` (if any), has `fen` in their own wallet and, for a bill over the
  // plain-card cap, a secure card or the member code
  const cast = (fen: number, benefit?: string): Resident | undefined =>
    residents.members.find((r) => {
      const m: Member | undefined = byId.get(r.id);
      if (!m || used.has(r.id) || (fen > 5000 && plainCard(r))) return false;
      if ((opts.holds ? opts.holds.walletFen(r.id) : m.walletFen) < fen) return false;
      return (
        benefit === undefined ||
        (opts.holds ? opts.holds.usable(r.id, benefit) : m.benefits.some((b) => b.campaignId === benefit))
      );
    });
  const online = (kind: SimDevice['kind'], merchant?: string) =>
    devices.find((d) => d.connected && d.kind === kind && (merchant === undefined || merchantOf(d) === merchant));
  const rng = seededRng(2026);
  const stops: TourStop[] = [];
  const stop = async (what: string, run: () => Promise<string | undefined>) => {
    if (opts.signal?.aborted) return;
    try {
      const outcome = await run();
      if (outcome === undefined) return; // no such device or resident in this demo
      stops.push({ what, outcome });
      log.info({ what, outcome }, 'demo opening');
    } catch (err) {
      log.debug({ what, err: err instanceof Error ? err.message : String(err) }, 'demo opening: no answer');
    }
    await wait(opts.pauseMs ?? 2000);
  };
  const who = (fen: number, benefit?: string) => {
    const r = cast(fen, benefit);
    if (r) used.add(r.id);
    return r;
  };
  const answer = (r: Awaited<ReturnType<typeof scanAndPay>>['first']) =>
    r.status === 'ok' ? `${r.decision}: ${r.display.en}` : `error ${r.code}`;

  await stop('café bill of ¥68 with the 满50减10 coupon', async () => {
    const d = online(shopScannerWire.kind, 'cafe-01');
    const r = d && who(7000, 'cafe-mj-50-10');
    return d && r ? answer((await scanAndPay(d, presentedBy(r), 6800)).first) : undefined;
  });
  await stop('vend whose item does not drop: refunded', async () => {
    const d = online(vendingMachineWire.kind);
    const r = d && who(1500);
    return d && r ? `${(await vendOnce(d, presentedBy(r), rng, { failRate: 1 })).result}` : undefined;
  });
  await stop('vend that goes through: points earned', async () => {
    const d = online(vendingMachineWire.kind);
    const r = d && who(1500);
    return d && r ? `${(await vendOnce(d, presentedBy(r), rng, { failRate: 0 })).result}` : undefined;
  });
  await stop('parcel deposited, then picked up by card', async () => {
    const d = online(parcelLockerWire.kind);
    const r = d && who(0);
    if (!d || !r) return undefined;
    const dep = await depositParcel(d, r.id, 'M');
    if (dep.status !== 'ok' || dep.decision !== 'approved')
      return `deposit ${dep.status === 'ok' ? dep.decision : dep.code}`;
    await wait(1000);
    const up = await pickUp(d, { uid: presentedBy(r) });
    return `deposited; pickup ${up.status === 'ok' ? up.decision : up.code}`;
  });
  await stop('fresh-food bill of ¥45 with the weekly card and two milks', async () => {
    const d = online(shopScannerWire.kind, 'fresh-01');
    const r = d && who(5000, 'fresh-weekly-card');
    return d && r
      ? answer(
          (
            await scanAndPay(d, presentedBy(r), 4500, {
              items: [{ productId: 'milk-250ml', unitPriceFen: 450, qty: 2 }],
            })
          ).first,
        )
      : undefined;
  });
  await stop('a resident comes home', async () => {
    const d = online(doorReaderWire.kind);
    const r = d && who(0);
    if (!d || !r) return undefined;
    const res = await tapDoor(d, presentedBy(r));
    return res.status === 'ok' ? res.decision : res.code;
  });
  return stops;
}
