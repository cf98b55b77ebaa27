import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { doorLeftOpen } from '../../sim/src/kinds/door-left-open.ts';
import type { KindScenarios } from '../../sim/src/kinds/kind-scenarios.ts';
import { pick } from '../../sim/src/prng.ts';
import { presentedBy } from '../../sim/src/resident.ts';
import { firstDoor, tapDoor } from './sim-flow.ts';

const decided = (r: ResponseBody) =>
  r.status === 'ok' ? `${r.decision}${r.declineCode ? ` ${r.declineCode}` : ''}` : r.code;

/** The door reader in the scenarios: residents come home through it, and doors are held open or forced. */
export const doorReaderScenarios: KindScenarios = {
  daily: (run) => (d, member) =>
    void tapDoor(d, presentedBy(member)).then((r) => run.report(d.id, 'tap')(decided(r)), run.failed(d.id)),
  trouble: doorLeftOpen,
  steps: {
    'door-left-open': (run) => () => {
      // a resident props the lobby door open with a parcel trolley; someone forces the side door
      const d = pick(run.rng, run.online());
      const who = pick(run.rng, run.residents.members);
      if (!d || !who) return;
      if (run.rng() < 0.2) {
        const door = firstDoor(d);
        void d
          .sendEvent({ event: 'door', door, state: 'forced' })
          .then(() => run.note(d.id, 'door forced'), run.failed(d.id));
        run.later(10_000, () => void d.sendEvent({ event: 'door', door, state: 'closed' }).catch(() => undefined));
        return;
      }
      void tapDoor(d, presentedBy(who), { holdOpen: true }).then((r) => {
        run.report(d.id, 'tap, door held open')(decided(r));
        const door = r.status === 'ok' ? r.unlock?.door : undefined;
        if (door)
          run.later(150_000, () => void d.sendEvent({ event: 'door', door, state: 'closed' }).catch(() => undefined));
      }, run.failed(d.id));
    },
  },
  tour: [
    {
      at: 60,
      what: 'a resident comes home',
      async run(guide) {
        const d = guide.online()[0];
        const r = d && guide.who(0);
        if (!d || !r) return undefined;
        const res = await tapDoor(d, presentedBy(r));
        return res.status === 'ok' ? res.decision : res.code;
      },
    },
  ],
};
