/**
 * The vending session, modelled on the MDB cashless-device session: a tap begins a session with the
 * funds available; the machine requests a vend at a price; the gateway approves (holding the money) or
 * denies; the machine reports the vend's success (capture) or failure (void, refund); the session ends.
 * Pure: (state, event, now) → next state, the effects to carry out, and the deadline of the new state.
 * Every waiting state has a deadline; when it passes, `timeout` voids whatever is held.
 */
export type VendState =
  | { name: 'idle' }
  | { name: 'session'; memberTxn: string; fundsFen: number; deadline: number }
  | { name: 'requested'; memberTxn: string; vendTxn: string; item: string; priceFen: number; deadline: number }
  | { name: 'approved'; memberTxn: string; vendTxn: string; item: string; chargedFen: number; deadline: number }
  | { name: 'completing'; memberTxn: string; deadline: number };

export type VendEvent =
  | { type: 'begin'; memberTxn: string; fundsFen: number }
  | { type: 'vend_request'; vendTxn: string; item: string; priceFen: number }
  | { type: 'approved'; vendTxn: string; chargedFen: number }
  | { type: 'denied'; vendTxn: string }
  | { type: 'vend_success'; vendTxn: string }
  | { type: 'vend_failure'; vendTxn: string }
  | { type: 'cancel' }
  | { type: 'complete' }
  | { type: 'timeout' };

export type VendEffect =
  | { type: 'authorize'; vendTxn: string; item: string; priceFen: number }
  | { type: 'capture'; vendTxn: string }
  | { type: 'void'; vendTxn: string; reason: 'vend_failed' | 'cancelled' | 'timeout' }
  | { type: 'end_session'; reason: 'completed' | 'cancelled' | 'timeout' };

export interface VendTimeouts {
  /** A session with no vend request ends after this. */
  sessionMs: number;
  /** The gateway's approval must come within this. */
  approvalMs: number;
  /** The machine must report the vend result within this (the hold is voided otherwise). */
  vendResultMs: number;
  completeMs: number;
}

export const DEFAULT_VEND_TIMEOUTS: VendTimeouts = {
  sessionMs: 30_000,
  approvalMs: 5_000,
  vendResultMs: 60_000,
  completeMs: 5_000,
};

interface VendStep {
  state: VendState;
  effects: VendEffect[];
  /** Set when the event made no sense in the state: the machine gets this reason, nothing changes. */
  ignored?: string;
}

const idle: VendState = { name: 'idle' };

export function vendStep(s: VendState, e: VendEvent, now: number, t: VendTimeouts = DEFAULT_VEND_TIMEOUTS): VendStep {
  const stay = (why: string): VendStep => ({ state: s, effects: [], ignored: why });
  // a late message about a vend of this session that is already settled: idempotent, nothing to do
  const sameVend = (txn: string) => 'vendTxn' in s && s.vendTxn === txn;
  switch (e.type) {
    case 'begin':
      if (s.name !== 'idle') return stay('a session is already open');
      return {
        state: { name: 'session', memberTxn: e.memberTxn, fundsFen: e.fundsFen, deadline: now + t.sessionMs },
        effects: [],
      };
    case 'vend_request':
      if (s.name !== 'session') return stay('vend request outside a session');
      // no check against the session's funds: benefits may cover a price above the wallet; the engine decides
      return {
        state: {
          name: 'requested',
          memberTxn: s.memberTxn,
          vendTxn: e.vendTxn,
          item: e.item,
          priceFen: e.priceFen,
          deadline: now + t.approvalMs,
        },
        effects: [{ type: 'authorize', vendTxn: e.vendTxn, item: e.item, priceFen: e.priceFen }],
      };
    case 'approved':
      if (s.name !== 'requested' || !sameVend(e.vendTxn)) return stay('approval for no pending vend');
      return {
        state: {
          name: 'approved',
          memberTxn: s.memberTxn,
          vendTxn: e.vendTxn,
          item: s.item,
          chargedFen: e.chargedFen,
          deadline: now + t.vendResultMs,
        },
        effects: [],
      };
    case 'denied':
      if (s.name !== 'requested' || !sameVend(e.vendTxn)) return stay('denial for no pending vend');
      // MDB: after VEND DENIED the session stays open so the resident can choose something cheaper
      return {
        state: { name: 'session', memberTxn: s.memberTxn, fundsFen: 0, deadline: now + t.sessionMs },
        effects: [],
      };
    case 'vend_success':
      if (s.name !== 'approved' || !sameVend(e.vendTxn)) return stay('vend result for no approved vend');
      return {
        state: { name: 'completing', memberTxn: s.memberTxn, deadline: now + t.completeMs },
        effects: [{ type: 'capture', vendTxn: e.vendTxn }],
      };
    case 'vend_failure':
      if (s.name !== 'approved' || !sameVend(e.vendTxn)) return stay('vend result for no approved vend');
      return {
        state: { name: 'completing', memberTxn: s.memberTxn, deadline: now + t.completeMs },
        effects: [{ type: 'void', vendTxn: e.vendTxn, reason: 'vend_failed' }],
      };
    case 'cancel':
      if (s.name === 'idle') return stay('no session to cancel');
      if (s.name === 'approved') return stay('the item is being dispensed: report its result first');
      return {
        state: idle,
        effects: [
          ...(s.name === 'requested'
            ? [{ type: 'void' as const, vendTxn: s.vendTxn, reason: 'cancelled' as const }]
            : []),
          { type: 'end_session', reason: 'cancelled' },
        ],
      };
    case 'complete':
      if (s.name === 'approved') return stay('the vend result is still outstanding');
      if (s.name === 'idle') return stay('no session to complete');
      return {
        state: idle,
        effects: [
          ...(s.name === 'requested'
            ? [{ type: 'void' as const, vendTxn: s.vendTxn, reason: 'cancelled' as const }]
            : []),
          { type: 'end_session', reason: 'completed' },
        ],
      };
    case 'timeout': {
      if (s.name === 'idle' || now < s.deadline) return stay('no deadline has passed');
      const held =
        s.name === 'requested' || s.name === 'approved'
          ? [{ type: 'void' as const, vendTxn: s.vendTxn, reason: 'timeout' as const }]
          : [];
      return { state: idle, effects: [...held, { type: 'end_session', reason: 'timeout' }] };
    }
  }
}
