import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { present, type Presented } from '../../sim/src/flows/credential.ts';
import type { TwinDevice } from '../../sim/src/kinds/model.ts';

/**
 * [FWP-11.8] A cashier scans a resident's card or member code and enters the bill (with the items, when the
 * till knows them: item offers such as a second milk half price apply to those). With `submitTwice` the cashier's
 * double tap on "pay" sends the same bill again (same txn): the gateway redeems it once.
 */
export function scanAndPay(
  d: TwinDevice,
  who: Presented,
  amountFen: number,
  opts: { submitTwice?: boolean; items?: { productId: string; unitPriceFen: number; qty: number }[] } = {},
): Promise<{ first: ResponseBody; second?: ResponseBody }> {
  // a flow in progress keeps the device busy: the fleet knows when every started flow has ended
  return d.flow(async () => {
    const txn = d.newTxn();
    const body = {
      op: 'redeem' as const,
      credential: present(who),
      amountFen,
      ...(opts.items ? { items: opts.items } : {}),
    };
    const first = await d.request(body, txn);
    if (!opts.submitTwice) return { first };
    return { first, second: await d.request(body, txn) };
  });
}
