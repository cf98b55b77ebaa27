import { KIND_MODULES } from '../../devices/registry.ts';
import type { Logger } from '../../gateway/core/log.ts';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema, type Fixture } from '../../gateway/redemption/fixture.ts';
import type { TourGuide } from './kinds/kind-scenarios.ts';
import { seededRng } from './prng.ts';
import { plainCard, type Resident, type Residents } from './resident.ts';
import type { SimDevice } from './sim-device.ts';

type Member = Fixture['members'][number];

/** One thing the opening shows, and what came of it. */
interface TourStop {
  what: string;
  outcome: string;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface OpeningOptions {
  pauseMs?: number;
  signal?: AbortSignal;
  /**
   * What the gateway holds now (the demo asks its own gateway): a member's wallet in fen, and whether a
   * benefit of theirs is still usable. Without it, the community's opening figures are assumed.
   */
  holds?: { walletFen(memberId: string): number; usable(memberId: string, campaignId: string): boolean };
}

/**
 * The demo's opening, within its first minute: one of each thing the gateway does, each by a resident
 * the demo community holds who can afford it — a café bill over the 满50减10 threshold with the coupon,
 * a vend whose item does not drop (refunded), a vend that goes through (points), a parcel deposited and
 * picked up by card, a fresh-food bill with the weekly card and a second milk half price, a door.
 * Each kind brings its own stops (its `sim.scenarios.tour`). Random daily life follows; this makes sure
 * a newcomer sees every part at once.
 */
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
  const guide = (kind: string): TourGuide => ({
    rng,
    online: () => devices.filter((d) => d.connected && d.kind === kind),
    who,
  });
  // every kind's stops, in the opening's order (a sort keeps a kind's own stops in the order it gave them)
  const tour = KIND_MODULES.flatMap((m) => (m.sim.scenarios?.tour ?? []).map((s) => ({ kind: m.wire.kind, s })));
  for (const { kind, s } of tour.sort((a, b) => a.s.at - b.s.at)) await stop(s.what, () => s.run(guide(kind)));
  return stops;
}
