import type { ResponseBody } from '../../../firmware-protocol/src/messages/response.ts';
import { pick, type Rng } from '../prng.ts';
import type { SimDevice } from '../sim-device.ts';
import { present, type Presented } from './credential.ts';

interface VendOutcome {
  result: 'vended' | 'vend_failed_refunded' | 'declined' | 'error' | 'nothing_to_sell';
  detail: string;
}

const describe = (r: ResponseBody) =>
  r.status === 'ok' ? `${r.decision}${r.declineCode ? ` ${r.declineCode}` : ''}: ${r.display.en}` : `error ${r.code}`;

/**
 * [FWP-11.4] One resident at a simulated vending machine: card first (tap, choose, vend, complete) or
 * selection first (choose, tap); the machine dispenses or fails to (`failRate`), and reports it.
 */
export function vendOnce(
  d: SimDevice,
  who: Presented,
  rng: Rng,
  opts: { selectionFirst?: boolean; failRate?: number } = {},
): Promise<VendOutcome> {
  // a flow in progress keeps the device busy: the fleet knows when every started flow has ended
  return d.flow(async () => {
    const credential = present(who);
    const slots =
      (d.model.capabilities as { slots?: { slot: string; productId?: string; priceFen?: number }[] }).slots ?? [];
    const slot = pick(
      rng,
      slots.filter((s) => s.productId && s.priceFen !== undefined),
    );
    if (!slot?.productId || slot.priceFen === undefined) return { result: 'nothing_to_sell', detail: 'no priced slot' };
    const item = { slot: slot.slot, productId: slot.productId, priceFen: slot.priceFen };
    const session = d.newTxn();
    if (!opts.selectionFirst) {
      const begun = await d.request({ op: 'vend_begin', credential }, session);
      if (begun.status !== 'ok' || begun.decision !== 'approved')
        return { result: begun.status === 'ok' ? 'declined' : 'error', detail: describe(begun) };
    }
    const vend = opts.selectionFirst ? session : d.newTxn();
    const asked = await d.request(
      opts.selectionFirst ? { op: 'vend_request', credential, item } : { op: 'vend_request', session, item },
      vend,
    );
    if (asked.status !== 'ok' || asked.decision !== 'approved') {
      await d.request({ op: 'vend_end', reason: 'cancel' }, session).catch(() => undefined);
      return { result: asked.status === 'ok' ? 'declined' : 'error', detail: describe(asked) };
    }
    const failed = rng() < (opts.failRate ?? 0.05);
    const settled = await d.request(
      { op: 'vend_result', success: !failed, ...(failed ? { reason: 'E_DISPENSER' } : {}) },
      vend,
    );
    await d.request({ op: 'vend_end', reason: 'complete' }, session).catch(() => undefined);
    if (settled.status !== 'ok') return { result: 'error', detail: describe(settled) };
    return { result: failed ? 'vend_failed_refunded' : 'vended', detail: describe(asked) };
  });
}
