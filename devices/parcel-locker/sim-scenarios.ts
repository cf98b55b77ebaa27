import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { doorLeftOpen } from '../../sim/src/kinds/door-left-open.ts';
import type { KindScenarios } from '../../sim/src/kinds/kind-scenarios.ts';
import { pick } from '../../sim/src/prng.ts';
import { presentedBy } from '../../sim/src/resident.ts';
import { depositParcel, pickUp } from './sim-flow.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const opened = (r: ResponseBody) => (r.status === 'ok' ? `${r.decision} ${JSON.stringify(r.open ?? [])}` : r.code);

/**
 * The parcel locker in the scenarios: couriers deposit parcels for residents, who pick them up by card. Each
 * run remembers, per locker, whose parcels wait in it.
 */
export const parcelLockerScenarios: KindScenarios = {
  daily(run) {
    const waiting = new Map<string, string[]>();
    return (d, member) => {
      const here = waiting.get(d.id) ?? [];
      // the resident whose parcel has waited longest comes for it (taken off the list once, not per comparison)
      const next = here.length > 3 || (here.length > 0 && run.rng() < 0.5) ? here.shift() : undefined;
      const who = next === undefined ? undefined : run.residents.members.find((m) => m.id === next);
      if (who)
        void pickUp(d, { uid: presentedBy(who) }).then((r) => run.report(d.id, 'pickup')(opened(r)), run.failed(d.id));
      else
        void depositParcel(d, member.id, pick(run.rng, ['S', 'M'] as const)).then((r) => {
          if (r.status === 'ok' && r.decision === 'approved') waiting.set(d.id, [...here, member.id]);
          run.report(d.id, 'deposit')(opened(r));
        }, run.failed(d.id));
    };
  },
  trouble: doorLeftOpen,
  steps: {
    'locker-full': (run) => {
      // the courier's big delivery day: deposits until the bank is full, then residents start picking up
      const parcels = new Map<string, string[]>(); // locker → members with parcels there
      return () => {
        for (const d of run.online()) {
          const member = pick(run.rng, run.residents.members);
          if (!member) return;
          const waiting = parcels.get(d.id) ?? [];
          if (waiting.length > 0 && run.rng() < 0.2) {
            const id = waiting.shift() as string;
            const who = run.residents.members.find((m) => m.id === id);
            if (who)
              void pickUp(d, { uid: presentedBy(who) }).then(
                (r) => run.report(d.id, 'pickup')(opened(r)),
                run.failed(d.id),
              );
            continue;
          }
          void depositParcel(d, member.id, pick(run.rng, ['S', 'S', 'M', 'L'] as const)).then((r) => {
            if (r.status === 'ok' && r.decision === 'approved') parcels.set(d.id, [...waiting, member.id]);
            run.report(
              d.id,
              'deposit',
            )(
              r.status === 'ok'
                ? `${r.decision}${r.declineCode ? ` ${r.declineCode}` : ''} ${JSON.stringify(r.open ?? [])}`
                : r.code,
            );
          }, run.failed(d.id));
        }
      };
    },
  },
  tour: [
    {
      at: 40,
      what: 'parcel deposited, then picked up by card',
      async run(guide) {
        const d = guide.online()[0];
        const r = d && guide.who(0);
        if (!d || !r) return undefined;
        const dep = await depositParcel(d, r.id, 'M');
        if (dep.status !== 'ok' || dep.decision !== 'approved')
          return `deposit ${dep.status === 'ok' ? dep.decision : dep.code}`;
        await wait(1000);
        const up = await pickUp(d, { uid: presentedBy(r) });
        return `deposited; pickup ${up.status === 'ok' ? up.decision : up.code}`;
      },
    },
  ],
};
