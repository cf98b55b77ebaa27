import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import type { KindScenarios } from '../../sim/src/kinds/kind-scenarios.ts';
import type { TwinDevice } from '../../sim/src/kinds/model.ts';
import { pick } from '../../sim/src/prng.ts';
import { plainCard, presentedBy } from '../../sim/src/resident.ts';
import { billFor } from './sim-bill.ts';
import { scanAndPay } from './sim-flow.ts';

const merchantOf = (d: TwinDevice) => (d.model.capabilities as { merchantId?: string }).merchantId;

/** What a double submission got: the same answer twice (as it must), or a different one (a bug to see). */
const again = (r: { first: unknown; second?: unknown }) =>
  r.second === undefined
    ? ''
    : JSON.stringify(r.second) === JSON.stringify(r.first)
      ? ' (same answer twice)'
      : ' (DIFFERENT answer!)';

const answer = (r: ResponseBody) => (r.status === 'ok' ? `${r.decision}: ${r.display.en}` : `error ${r.code}`);

/** The shop scanner in the scenarios: residents pay their bills at the demo community's shops. */
export const shopScannerScenarios: KindScenarios = {
  async sell(d, member, rng) {
    const bill = billFor(merchantOf(d), rng, plainCard(member));
    const { first } = await scanAndPay(d, presentedBy(member), bill.amountFen, bill.items ? { items: bill.items } : {});
    if (first.status !== 'ok') return { what: 'error', detail: first.code };
    return { what: first.decision === 'approved' ? 'paid' : 'declined', detail: first.display.en };
  },
  steps: {
    'morning-rush': (run) => {
      // 7:30 at the breakfast stall: bursts of residents paying at once, and the cashier's double taps
      const stall = () => {
        const all = run.online();
        const breakfast = all.filter((d) => merchantOf(d) === 'breakfast-01');
        return breakfast.length > 0 ? breakfast : all;
      };
      return () => {
        for (let i = 0; i < 6; i++) {
          const d = pick(run.rng, stall());
          const who = pick(run.rng, run.residents.members);
          if (!d || !who) return;
          const twice = run.rng() < 0.1;
          void scanAndPay(d, presentedBy(who), 300 + Math.floor(run.rng() * 12) * 100, { submitTwice: twice }).then(
            (r) =>
              run.report(
                d.id,
                twice ? 'bill submitted twice' : 'bill',
              )(r.first.status === 'ok' ? `${r.first.decision} ${r.first.payableFen ?? ''}${again(r)}` : r.first.code),
            run.failed(d.id),
          );
        }
      };
    },
  },
  tour: [
    {
      at: 10,
      what: 'café bill of ¥68 with the 满50减10 coupon',
      async run(guide) {
        const d = guide.online().find((x) => merchantOf(x) === 'cafe-01');
        const r = d && guide.who(7000, 'cafe-mj-50-10');
        return d && r ? answer((await scanAndPay(d, presentedBy(r), 6800)).first) : undefined;
      },
    },
    {
      at: 50,
      what: 'fresh-food bill of ¥45 with the weekly card and two milks',
      async run(guide) {
        const d = guide.online().find((x) => merchantOf(x) === 'fresh-01');
        const r = d && guide.who(5000, 'fresh-weekly-card');
        if (!d || !r) return undefined;
        const items = [{ productId: 'milk-250ml', unitPriceFen: 450, qty: 2 }];
        return answer((await scanAndPay(d, presentedBy(r), 4500, { items })).first);
      },
    },
  ],
};
