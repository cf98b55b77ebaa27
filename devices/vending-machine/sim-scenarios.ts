import type { KindScenarios } from '../../sim/src/kinds/kind-scenarios.ts';
import { pick } from '../../sim/src/prng.ts';
import { presentedBy } from '../../sim/src/resident.ts';
import { lateFailure, vendOnce } from './sim-flow.ts';

/** The vending machine in the scenarios: residents buy with their cards, dispensers jam, fridges warm up. */
export const vendingMachineScenarios: KindScenarios = {
  async sell(d, member, rng, opts = {}) {
    // one vend in ten fails to drop and is refunded, unless told otherwise
    const o = await vendOnce(d, presentedBy(member), rng, {
      selectionFirst: rng() < 0.3,
      failRate: opts.failRate ?? 0.1,
    });
    return { what: o.result === 'declined' ? 'declined' : o.result, detail: o.detail };
  },
  trouble(d, _rng, later, roll) {
    if (roll() >= 0.35) return undefined;
    d.setTemperature(14.5);
    later(60_000, () => d.setTemperature(5));
    return 'fridge warming up';
  },
  steps: {
    'holiday-peak': (run) => () => {
      // a holiday promotion: every vending machine serves a resident at every step, half of them choosing first
      for (const d of run.online()) {
        const who = pick(run.rng, run.residents.members);
        if (!who) return;
        void vendOnce(d, presentedBy(who), run.rng, { selectionFirst: run.rng() < 0.5, failRate: 0.03 }).then(
          (o) => run.report(d.id, 'vend')(`${o.result}: ${o.detail}`),
          run.failed(d.id),
        );
      }
    },
    'vend-failures': (run) => () => {
      // dispensers jam: half the vends fail and are refunded; one in four is reported only after a reconnect
      const d = pick(run.rng, run.online());
      const who = pick(run.rng, run.residents.members);
      if (!d || !who) return;
      if (run.rng() < 0.25) {
        void lateFailure(d, presentedBy(who), run.rng).then(
          run.report(d.id, 'vend failure reported after a reconnect'),
          run.failed(d.id),
        );
        return;
      }
      void vendOnce(d, presentedBy(who), run.rng, { failRate: 0.5 }).then(
        (o) => run.report(d.id, 'vend')(`${o.result}: ${o.detail}`),
        run.failed(d.id),
      );
    },
  },
  tour: [
    {
      at: 20,
      what: 'vend whose item does not drop: refunded',
      async run(guide) {
        const d = guide.online()[0];
        const r = d && guide.who(1500);
        return d && r ? `${(await vendOnce(d, presentedBy(r), guide.rng, { failRate: 1 })).result}` : undefined;
      },
    },
    {
      at: 30,
      what: 'vend that goes through: points earned',
      async run(guide) {
        const d = guide.online()[0];
        const r = d && guide.who(1500);
        return d && r ? `${(await vendOnce(d, presentedBy(r), guide.rng, { failRate: 0 })).result}` : undefined;
      },
    },
  ],
};
