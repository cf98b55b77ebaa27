import type { ResponseBody } from '../../../firmware-protocol/src/messages/redemption.ts';
import type { SimDevice } from '../sim-device.ts';

/**
 * [FWP-11.8] A cashier scans a resident's card and enters the bill. With `submitTwice` the cashier's
 * double tap on "pay" sends the same bill again (same txn): the gateway redeems it once.
 */
export async function scanAndPay(d: SimDevice, uid: string, amountFen: number, opts: { submitTwice?: boolean } = {}): Promise<{ first: ResponseBody; second?: ResponseBody }> {
  const txn = d.newTxn();
  const body = { op: 'redeem' as const, credential: { type: 'uid' as const, uid }, amountFen };
  const first = await d.request(body, txn);
  if (!opts.submitTwice) return { first };
  return { first, second: await d.request(body, txn) };
}
