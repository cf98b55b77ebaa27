import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { present, type Presented } from '../../sim/src/flows/credential.ts';
import type { TwinDevice } from '../../sim/src/kinds/model.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** [FWP-11.5] A courier deposits a parcel: the locker opens the assigned compartment, the courier closes it. */
export function depositParcel(
  d: TwinDevice,
  memberId: string,
  size: 'S' | 'M' | 'L',
  opts: { closeAfterMs?: number } = {},
): Promise<ResponseBody> {
  // a flow in progress keeps the device busy: the fleet knows when every started flow has ended
  return d.flow(async () => {
    const txn = d.newTxn();
    const r = await d.request(
      { op: 'deposit', size, tracking: `SF${txn.slice(-8)}`, recipient: { type: 'member', memberId } },
      txn,
    );
    const c = r.status === 'ok' ? r.open?.[0]?.compartment : undefined;
    if (c === undefined) return r;
    d.model.setOpen(c, true);
    await d.sendEvent({ event: 'compartment', compartment: c, state: 'open' }, txn);
    await wait(opts.closeAfterMs ?? 300);
    d.model.setOpen(c, false);
    await d.sendEvent({ event: 'compartment', compartment: c, state: 'closed' }, txn);
    return r;
  });
}

/**
 * [FWP-11.5] A resident picks up by card or code: every compartment opened is confirmed open, then
 * closed after `closeAfterMs` (or left open when `leaveOpen`, the door-left-open alert).
 */
export function pickUp(
  d: TwinDevice,
  by: { uid: Presented } | { code: string },
  opts: { closeAfterMs?: number; leaveOpen?: boolean } = {},
): Promise<ResponseBody> {
  // a flow in progress keeps the device busy: the fleet knows when every started flow has ended
  return d.flow(async () => {
    const txn = d.newTxn();
    const r = await d.request(
      'uid' in by ? { op: 'pickup', credential: present(by.uid) } : { op: 'pickup_code', code: by.code },
      txn,
    );
    const opened = r.status === 'ok' ? (r.open ?? []).map((o) => o.compartment) : [];
    for (const c of opened) {
      d.model.setOpen(c, true);
      await d.sendEvent({ event: 'compartment', compartment: c, state: 'open' }, txn);
    }
    if (opts.leaveOpen || opened.length === 0) return r;
    await wait(opts.closeAfterMs ?? 300);
    for (const c of opened) {
      d.model.setOpen(c, false);
      await d.sendEvent({ event: 'compartment', compartment: c, state: 'closed' });
    }
    return r;
  });
}
