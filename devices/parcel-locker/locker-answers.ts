import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import type { Parcel } from './parcel-repo.ts';

/** [FWP-11.5] What the locker is told after a deposit: the compartment to open, or that it is settled. */
export function depositAnswer(p: Parcel): ResponseBody {
  if (p.status !== 'depositing') {
    return {
      status: 'ok',
      op: 'deposit',
      decision: 'none',
      state: p.status,
      display: { zh: '该包裹已处理', en: 'This deposit is already settled' },
    };
  }
  return {
    status: 'ok',
    op: 'deposit',
    decision: 'approved',
    state: p.status,
    open: [{ compartment: p.compartment, size: p.size }],
    display: {
      zh: `请将包裹放入 ${p.compartment} 号格口并关门`,
      en: `Put the parcel in compartment ${p.compartment} and close the door`,
    },
  };
}

/** [FWP-11.5] The compartments to open for a pickup, in order. */
export function pickupAnswer(parcels: readonly Parcel[], op: 'pickup' | 'pickup_code'): ResponseBody {
  const ids = parcels.map((p) => p.compartment).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return {
    status: 'ok',
    op,
    decision: 'approved',
    open: ids.map((compartment) => ({ compartment })),
    display: { zh: `请从 ${ids.join('、')} 号格口取件`, en: `Take your parcel(s) from ${ids.join(', ')}` },
  };
}

export function keypadLocked(until: number): ResponseBody {
  return {
    status: 'ok',
    op: 'pickup_code',
    decision: 'declined',
    declineCode: 'KEYPAD_LOCKED',
    lockedUntil: until,
    display: { zh: '错误次数过多，请稍后再试', en: 'Too many wrong codes; try again later' },
  };
}
