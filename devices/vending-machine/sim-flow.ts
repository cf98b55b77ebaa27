import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { pick, type Rng } from '../../sim/src/prng.ts';
import { present, type Presented } from '../../sim/src/flows/credential.ts';
import type { TwinDevice } from '../../sim/src/kinds/model.ts';

interface VendOutcome {
  result: 'vended' | 'vend_failed_refunded' | 'declined' | 'error' | 'nothing_to_sell';
  detail: string;
}

const describe = (r: ResponseBody) =>
  r.status === 'ok' ? `${r.decision}${r.declineCode ? ` ${r.declineCode}` : ''}: ${r.display.en}` : `error ${r.code}`;

/** A slot with a product and a price, chosen at random: what the resident asks for. */
function pricedItem(d: TwinDevice, rng: Rng): { slot: string; productId: string; priceFen: number } | undefined {
  const slots =
    (d.model.capabilities as { slots?: { slot: string; productId?: string; priceFen?: number }[] }).slots ?? [];
  const slot = pick(
    rng,
    slots.filter((s) => s.productId && s.priceFen !== undefined),
  );
  if (!slot?.productId || slot.priceFen === undefined) return undefined;
  return { slot: slot.slot, productId: slot.productId, priceFen: slot.priceFen };
}

/**
 * [FWP-11.4] One resident at a simulated vending machine: card first (tap, choose, vend, complete) or
 * selection first (choose, tap); the machine dispenses or fails to (`failRate`), and reports it.
 */
export function vendOnce(
  d: TwinDevice,
  who: Presented,
  rng: Rng,
  opts: { selectionFirst?: boolean; failRate?: number } = {},
): Promise<VendOutcome> {
  // a flow in progress keeps the device busy: the fleet knows when every started flow has ended
  return d.flow(async () => {
    const credential = present(who);
    const item = pricedItem(d, rng);
    if (!item) return { result: 'nothing_to_sell', detail: 'no priced slot' };
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

/** A vend approved, then the machine loses its connection and reports the failure after reconnecting. */
export function lateFailure(d: TwinDevice, who: Presented, rng: Rng): Promise<string> {
  // a flow in progress keeps the device busy: the fleet knows when every started flow has ended
  return d.flow(async () => {
    const item = pricedItem(d, rng);
    if (!item) return 'nothing to sell';
    const vend = d.newTxn();
    const res = await d.request({ op: 'vend_request', credential: present(who), item }, vend);
    if (res.status !== 'ok' || res.decision !== 'approved')
      return res.status === 'ok' ? `declined ${res.declineCode ?? ''}` : `error ${res.code}`;
    d.drop();
    const deadline = Date.now() + 20_000;
    while (!d.connected || !d.born) {
      if (Date.now() > deadline) return 'did not reconnect';
      await new Promise((res) => setTimeout(res, 200));
    }
    const settled = await d.request({ op: 'vend_result', success: false, reason: 'E_DISPENSER' }, vend);
    return settled.status === 'ok' ? `refunded (${settled.state ?? ''})` : `error ${settled.code}`;
  });
}
