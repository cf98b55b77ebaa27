import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { present, type Presented } from '../../sim/src/flows/credential.ts';
import type { TwinDevice } from '../../sim/src/kinds/model.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The reader's first door (the only one of a simulated reader). */
export function firstDoor(d: TwinDevice): string {
  return (d.model.capabilities as { doors?: { id: string }[] }).doors?.[0]?.id ?? 'main';
}

/**
 * [FWP-11.6] A resident taps a card (or shows a code) at a door reader: when granted the door is released, opens and
 * closes again (or is held open, when `holdOpen`: the door-left-open alert).
 */
export function tapDoor(
  d: TwinDevice,
  who: Presented,
  opts: { holdOpen?: boolean; closeAfterMs?: number } = {},
): Promise<ResponseBody> {
  // a flow in progress keeps the device busy: the fleet knows when every started flow has ended
  return d.flow(async () => {
    const door = firstDoor(d);
    const txn = d.newTxn();
    const r = await d.request({ op: 'access', door, credential: present(who) }, txn);
    if (r.status !== 'ok' || !r.unlock) return r;
    d.model.setOpen(door, true);
    await d.sendEvent({ event: 'door', door, state: 'open' }, txn);
    if (opts.holdOpen) return r;
    await wait(opts.closeAfterMs ?? 300);
    d.model.setOpen(door, false);
    await d.sendEvent({ event: 'door', door, state: 'closed' });
    return r;
  });
}
