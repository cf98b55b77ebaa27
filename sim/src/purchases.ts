import { shopScannerWire } from '../../devices/shop-scanner/wire.ts';
import { pick, type Rng } from './prng.ts';
import { plainCard, presentedBy, type Resident } from './resident.ts';
import type { SimDevice } from './sim-device.ts';
import { present } from './flows/credential.ts';
import { vendOnce } from './flows/vending.ts';

interface Bill {
  amountFen: number;
  items?: { productId: string; unitPriceFen: number; qty: number }[];
}

/** The part of the gateway's answer a scenario reports: approved or declined, what was saved and why. */
interface PurchaseOutcome {
  what: 'paid' | 'declined' | 'vended' | 'vend_failed_refunded' | 'error' | 'nothing_to_sell';
  detail: string;
}

const yuan = (rng: Rng, from: number, to: number) => (from + Math.floor(rng() * (to - from + 1))) * 100;

/**
 * What a resident spends at a shop, sized so the demo community's offers come into play: the café's
 * 满50减10 threshold is crossed about half the time, the fresh-food shop's weekly card needs 20 yuan and
 * its 满100减20 bundle 100, and the till sends items when the offer is on items (a second milk half
 * price, the morning set). A resident with only a plain card keeps under the plain-card cap (50 yuan a
 * purchase), as a resident told of the cap would; a bigger bill is for a secure card or the member code.
 */
export function billFor(merchantId: string | undefined, rng: Rng, plain: boolean): Bill {
  const cap = (fen: number) => (plain ? Math.min(fen, 4800) : fen);
  switch (merchantId) {
    case 'cafe-01': {
      const amountFen = cap(yuan(rng, 18, 88));
      return rng() < 0.3
        ? { amountFen, items: [{ productId: 'breakfast-set', unitPriceFen: 1500, qty: 1 }] }
        : { amountFen };
    }
    case 'fresh-01': {
      const amountFen = cap(yuan(rng, 22, 130));
      return rng() < 0.35
        ? { amountFen, items: [{ productId: 'milk-250ml', unitPriceFen: 450, qty: 2 }] }
        : { amountFen };
    }
    case 'breakfast-01':
      return {
        amountFen: yuan(rng, 4, 20),
        items: [
          {
            productId: pick(rng, ['steamed-buns-4', 'soy-milk', 'breakfast-set'] as const) ?? 'soy-milk',
            unitPriceFen: 400,
            qty: 1,
          },
        ],
      };
    default:
      return { amountFen: cap(yuan(rng, 10, 80)) };
  }
}

const merchantOf = (d: SimDevice) => (d.model.capabilities as { merchantId?: string }).merchantId;

/**
 * One purchase: a bill at a shop scanner, or an item at a vending machine (one in ten fails to drop and
 * is refunded).
 */
export function shop(d: SimDevice, r: Resident, rng: Rng, opts: { failRate?: number } = {}): Promise<PurchaseOutcome> {
  // a flow in progress keeps the device busy: the fleet knows when every started flow has ended
  return d.flow(async () => {
    if (d.kind === shopScannerWire.kind) {
      const bill = billFor(merchantOf(d), rng, plainCard(r));
      const res = await d.request({ op: 'redeem', credential: present(presentedBy(r)), ...bill }, d.newTxn());
      if (res.status !== 'ok') return { what: 'error', detail: res.code };
      return { what: res.decision === 'approved' ? 'paid' : 'declined', detail: res.display.en };
    }
    const o = await vendOnce(d, presentedBy(r), rng, { selectionFirst: rng() < 0.3, failRate: opts.failRate ?? 0.1 });
    return { what: o.result === 'declined' ? 'declined' : o.result, detail: o.detail };
  });
}

/** A vend approved, then the machine loses its connection and reports the failure after reconnecting. */
export function lateFailure(d: SimDevice, r: Resident, rng: Rng): Promise<string> {
  // a flow in progress keeps the device busy: the fleet knows when every started flow has ended
  return d.flow(async () => {
    const slots =
      (d.model.capabilities as { slots?: { slot: string; productId?: string; priceFen?: number }[] }).slots ?? [];
    const slot = pick(
      rng,
      slots.filter((s) => s.productId && s.priceFen !== undefined),
    );
    if (!slot?.productId || slot.priceFen === undefined) return 'nothing to sell';
    const vend = d.newTxn();
    const item = { slot: slot.slot, productId: slot.productId, priceFen: slot.priceFen };
    const res = await d.request({ op: 'vend_request', credential: present(presentedBy(r)), item }, vend);
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
