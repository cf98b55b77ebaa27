/**
 * One locker compartment's door, keeping what the gateway commanded ("assumed") apart from what the
 * locker confirmed. Pure: (state, event, now) → next state and effects. Every commanded open has a
 * deadline: a door that does not confirm "open" in time is jammed, and what it held stays assigned.
 */
type Purpose = 'deposit' | 'pickup';

type DoorPhase =
  | { phase: 'idle' }
  | { phase: 'commanded'; txn: string; purpose: Purpose; deadline: number }
  | { phase: 'open'; txn: string | undefined; purpose: Purpose | undefined; since: number; alerted: boolean };

export interface CompartmentDoor {
  door: DoorPhase;
  /** The last state the locker confirmed. */
  confirmed: 'open' | 'closed' | 'unknown';
  jammed: boolean;
}

export type CompartmentEvent =
  | { type: 'command_open'; txn: string; purpose: Purpose }
  | { type: 'opened' }
  | { type: 'closed' }
  | { type: 'jammed' }
  | { type: 'tick' }
  | { type: 'clear_jam' };

export type CompartmentEffect =
  | { type: 'opened'; txn: string | undefined; purpose: Purpose | undefined }
  | { type: 'closed'; txn: string | undefined; purpose: Purpose | undefined }
  | { type: 'jammed'; txn: string | undefined; purpose: Purpose | undefined; why: 'reported' | 'no_confirmation' }
  | { type: 'left_open'; openForMs: number }
  | { type: 'opened_unexpectedly' };

interface CompartmentTimeouts {
  openConfirmMs: number;
  leftOpenMs: number;
}

export const newDoor = (): CompartmentDoor => ({ door: { phase: 'idle' }, confirmed: 'unknown', jammed: false });

export function compartmentStep(
  c: CompartmentDoor,
  e: CompartmentEvent,
  now: number,
  t: CompartmentTimeouts,
): { c: CompartmentDoor; effects: CompartmentEffect[]; ignored?: string } {
  const d = c.door;
  switch (e.type) {
    case 'command_open':
      if (c.jammed) return { c, effects: [], ignored: 'the compartment is jammed' };
      if (d.phase !== 'idle') return { c, effects: [], ignored: 'the compartment door is busy' };
      return {
        c: { ...c, door: { phase: 'commanded', txn: e.txn, purpose: e.purpose, deadline: now + t.openConfirmMs } },
        effects: [],
      };
    case 'opened': {
      if (d.phase === 'open') return { c: { ...c, confirmed: 'open' }, effects: [] }; // a repeated report
      const commanded = d.phase === 'commanded' ? d : undefined;
      // a jam stays until staff clear it: a late "open" does not make the compartment usable again
      const next: CompartmentDoor = {
        door: { phase: 'open', txn: commanded?.txn, purpose: commanded?.purpose, since: now, alerted: false },
        confirmed: 'open',
        jammed: c.jammed,
      };
      return {
        c: next,
        effects: commanded
          ? [{ type: 'opened', txn: commanded.txn, purpose: commanded.purpose }]
          : [{ type: 'opened_unexpectedly' }],
      };
    }
    case 'closed':
      if (d.phase === 'open')
        return {
          c: { ...c, door: { phase: 'idle' }, confirmed: 'closed' },
          effects: [{ type: 'closed', txn: d.txn, purpose: d.purpose }],
        };
      return { c: { ...c, confirmed: 'closed' }, effects: [] };
    case 'jammed':
      if (d.phase === 'commanded') {
        return {
          c: { ...c, door: { phase: 'idle' }, jammed: true },
          effects: [{ type: 'jammed', txn: d.txn, purpose: d.purpose, why: 'reported' }],
        };
      }
      return {
        c: { ...c, jammed: true },
        effects: [{ type: 'jammed', txn: undefined, purpose: undefined, why: 'reported' }],
      };
    case 'clear_jam':
      return { c: { ...c, jammed: false }, effects: [] };
    case 'tick':
      if (d.phase === 'commanded' && now >= d.deadline) {
        return {
          c: { ...c, door: { phase: 'idle' }, jammed: true },
          effects: [{ type: 'jammed', txn: d.txn, purpose: d.purpose, why: 'no_confirmation' }],
        };
      }
      if (d.phase === 'open' && !d.alerted && now - d.since >= t.leftOpenMs) {
        return {
          c: { ...c, door: { ...d, alerted: true } },
          effects: [{ type: 'left_open', openForMs: now - d.since }],
        };
      }
      return { c, effects: [] };
  }
}

const SIZES = ['S', 'M', 'L', 'XL'] as const;
export type CompartmentSize = (typeof SIZES)[number];

/**
 * The compartment for a parcel of a size: the smallest free one that fits (a small parcel may go into a
 * big compartment, never the other way), then by id; none when the bank is full for that size.
 */
export function pickCompartment(
  compartments: readonly { id: string; size: CompartmentSize; free: boolean }[],
  size: CompartmentSize,
): string | undefined {
  const need = SIZES.indexOf(size);
  return compartments
    .filter((c) => c.free && SIZES.indexOf(c.size) >= need)
    .sort(
      (a, b) => SIZES.indexOf(a.size) - SIZES.indexOf(b.size) || a.id.localeCompare(b.id, 'en', { numeric: true }),
    )[0]?.id;
}
