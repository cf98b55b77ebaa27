import type { ResponseBody } from '../../../firmware-protocol/src/messages/redemption.ts';
import type { SimDevice } from '../sim-device.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function firstDoor(d: SimDevice): string {
  return (d.model.capabilities as { doors?: { id: string }[] }).doors?.[0]?.id ?? 'main';
}

/**
 * [FWP-11.6] A resident taps a card at a door reader: when granted the door is released, opens and
 * closes again (or is held open, when `holdOpen`: the door-left-open alert).
 */
export async function tapDoor(d: SimDevice, uid: string, opts: { holdOpen?: boolean; closeAfterMs?: number } = {}): Promise<ResponseBody> {
  const door = firstDoor(d);
  const txn = d.newTxn();
  const r = await d.request({ op: 'access', door, credential: { type: 'uid', uid } }, txn);
  if (r.status !== 'ok' || !r.unlock) return r;
  d.model.setOpen(door, true);
  await d.sendEvent({ event: 'door', door, state: 'open' }, txn);
  if (opts.holdOpen) return r;
  await wait(opts.closeAfterMs ?? 300);
  d.model.setOpen(door, false);
  await d.sendEvent({ event: 'door', door, state: 'closed' });
  return r;
}
