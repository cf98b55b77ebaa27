import { describe, expect, it } from 'vitest';
import {
  compartmentStep,
  newDoor,
  pickCompartment,
  type CompartmentDoor,
  type CompartmentEvent,
} from '../../devices/parcel-locker/compartment.ts';

const T = { openConfirmMs: 10_000, leftOpenMs: 120_000 };
const run = (events: [CompartmentEvent, number][], start: CompartmentDoor = newDoor()) => {
  let c = start;
  const effects: string[] = [];
  const ignored: string[] = [];
  for (const [e, at] of events) {
    const r = compartmentStep(c, e, at, T);
    c = r.c;
    effects.push(
      ...r.effects.map(
        (f) =>
          `${f.type}${'purpose' in f && f.purpose ? `:${f.purpose}` : ''}${f.type === 'jammed' ? `:${f.why}` : ''}`,
      ),
    );
    if (r.ignored) ignored.push(r.ignored);
  }
  return { c, effects, ignored };
};

describe('compartment door: commanded apart from confirmed', () => {
  it('a pickup opens, is confirmed, closes', () => {
    const r = run([
      [{ type: 'command_open', txn: 't', purpose: 'pickup' }, 0],
      [{ type: 'opened' }, 800],
      [{ type: 'closed' }, 5000],
    ]);
    expect(r.effects).toEqual(['opened:pickup', 'closed:pickup']);
    expect(r.c).toMatchObject({ confirmed: 'closed', jammed: false, door: { phase: 'idle' } });
  });
  it('commanded but never confirmed: jammed at the deadline, not before', () => {
    const r1 = run([
      [{ type: 'command_open', txn: 't', purpose: 'pickup' }, 0],
      [{ type: 'tick' }, 9_999],
    ]);
    expect(r1.effects).toEqual([]);
    expect(r1.c.door.phase).toBe('commanded');
    expect(r1.c.confirmed).toBe('unknown');
    const r2 = run([
      [{ type: 'command_open', txn: 't', purpose: 'pickup' }, 0],
      [{ type: 'tick' }, 10_000],
    ]);
    expect(r2.effects).toEqual(['jammed:pickup:no_confirmation']);
    expect(r2.c.jammed).toBe(true);
  });
  it('a reported jam, then no more commands until cleared', () => {
    const r = run([
      [{ type: 'command_open', txn: 't', purpose: 'deposit' }, 0],
      [{ type: 'jammed' }, 500],
      [{ type: 'command_open', txn: 'u', purpose: 'pickup' }, 600],
    ]);
    expect(r.effects).toEqual(['jammed:deposit:reported']);
    expect(r.ignored).toEqual(['the compartment is jammed']);
    const cleared = run(
      [
        [{ type: 'clear_jam' }, 700],
        [{ type: 'command_open', txn: 'u', purpose: 'pickup' }, 800],
      ],
      r.c,
    );
    expect(cleared.c.door.phase).toBe('commanded');
  });
  it('a late "open" after the deadline is unexpected and the jam stays until cleared', () => {
    const r = run([
      [{ type: 'command_open', txn: 't', purpose: 'deposit' }, 0],
      [{ type: 'tick' }, 10_000],
      [{ type: 'opened' }, 12_000],
      [{ type: 'closed' }, 15_000],
    ]);
    expect(r.effects).toEqual(['jammed:deposit:no_confirmation', 'opened_unexpectedly', 'closed']);
    expect(r.c.jammed).toBe(true);
  });
  it('a door left open alerts once; an unexpected opening is reported', () => {
    const r = run([
      [{ type: 'opened' }, 0],
      [{ type: 'tick' }, 119_999],
      [{ type: 'tick' }, 120_000],
      [{ type: 'tick' }, 200_000],
      [{ type: 'opened' }, 200_001],
    ]);
    expect(r.effects).toEqual(['opened_unexpectedly', 'left_open']);
  });
  it('a busy door takes no second command', () => {
    expect(
      run([
        [{ type: 'command_open', txn: 'a', purpose: 'pickup' }, 0],
        [{ type: 'command_open', txn: 'b', purpose: 'pickup' }, 1],
      ]).ignored,
    ).toEqual(['the compartment door is busy']);
  });
});

describe('pickCompartment', () => {
  const bank = [
    { id: 'A1', size: 'S' as const, free: false },
    { id: 'A2', size: 'S' as const, free: true },
    { id: 'B10', size: 'M' as const, free: true },
    { id: 'B2', size: 'M' as const, free: true },
    { id: 'C1', size: 'L' as const, free: true },
  ];
  it('takes the smallest free compartment that fits, then by id in natural order', () => {
    expect(pickCompartment(bank, 'S')).toBe('A2');
    expect(pickCompartment(bank, 'M')).toBe('B2');
    expect(pickCompartment(bank, 'L')).toBe('C1');
    expect(pickCompartment(bank, 'XL')).toBeUndefined();
    expect(
      pickCompartment(
        bank.map((c) => ({ ...c, free: c.size === 'L' })),
        'S',
      ),
    ).toBe('C1');
  });
});
