/**
 * The life of one redemption. Devices that dispense (vending, lockers) authorize first (funds and uses
 * are held), then capture when the goods came out or void when they did not; shop scanners redeem in
 * one step. A hold not captured in time is voided by the gateway. A captured redemption can be
 * reversed (refunded) within the configured window. Pure: (state, command, now) → next state or refusal.
 */
export type RedemptionState = 'held' | 'captured' | 'voided' | 'reversed';
export type RedemptionCommand = 'capture' | 'void' | 'expire' | 'reverse';

export type TransitionRefusal =
  | 'ALREADY_CAPTURED'
  | 'ALREADY_VOIDED'
  | 'ALREADY_REVERSED'
  | 'HOLD_EXPIRED'
  | 'NOT_CAPTURED'
  | 'REVERSAL_WINDOW_CLOSED';

interface RedemptionTimes {
  createdAt: number;
  holdExpiresAt: number | undefined;
  capturedAt: number | undefined;
}

/** The next state, `same` for an idempotent repeat (capture of a captured one), or a refusal. */
export function transition(
  state: RedemptionState,
  cmd: RedemptionCommand,
  times: RedemptionTimes,
  now: number,
  reversalWindowMs: number,
): { next: RedemptionState; same: boolean } | { refused: TransitionRefusal } {
  switch (cmd) {
    case 'capture':
      if (state === 'captured') return { next: 'captured', same: true };
      if (state === 'held') {
        if (times.holdExpiresAt !== undefined && now >= times.holdExpiresAt) return { refused: 'HOLD_EXPIRED' };
        return { next: 'captured', same: false };
      }
      return { refused: state === 'voided' ? 'ALREADY_VOIDED' : 'ALREADY_REVERSED' };
    case 'void':
    case 'expire':
      if (state === 'voided') return { next: 'voided', same: true };
      if (state === 'held') return { next: 'voided', same: false };
      return { refused: state === 'captured' ? 'ALREADY_CAPTURED' : 'ALREADY_REVERSED' };
    case 'reverse':
      if (state === 'reversed') return { next: 'reversed', same: true };
      if (state !== 'captured') return { refused: state === 'held' ? 'NOT_CAPTURED' : 'ALREADY_VOIDED' };
      if (now - (times.capturedAt ?? times.createdAt) > reversalWindowMs) return { refused: 'REVERSAL_WINDOW_CLOSED' };
      return { next: 'reversed', same: false };
  }
}
