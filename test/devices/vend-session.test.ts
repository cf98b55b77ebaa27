import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VEND_TIMEOUTS,
  vendStep,
  type VendEvent,
  type VendState,
} from '../../devices/vending-machine/session.ts';

const run = (events: [VendEvent, number][]) => {
  let s: VendState = { name: 'idle' };
  const effects: string[] = [];
  const ignored: string[] = [];
  for (const [e, at] of events) {
    const r = vendStep(s, e, at);
    s = r.state;
    effects.push(...r.effects.map((f) => f.type + ('reason' in f ? `:${f.reason}` : '')));
    if (r.ignored) ignored.push(r.ignored);
  }
  return { s, effects, ignored };
};

const begin: VendEvent = { type: 'begin', memberTxn: 'm', fundsFen: 1000 };
const req: VendEvent = { type: 'vend_request', vendTxn: 'v1', item: 'A1', priceFen: 450 };

describe('vending session (MDB-modelled)', () => {
  it('tap → request → approved → success → complete captures once', () => {
    const r = run([
      [begin, 0],
      [req, 1],
      [{ type: 'approved', vendTxn: 'v1', chargedFen: 400 }, 2],
      [{ type: 'vend_success', vendTxn: 'v1' }, 3],
      [{ type: 'complete' }, 4],
    ]);
    expect(r.effects).toEqual(['authorize', 'capture', 'end_session:completed']);
    expect(r.s.name).toBe('idle');
  });
  it('a vend failure voids the hold (the resident is refunded); a repeated failure report changes nothing', () => {
    const r = run([
      [begin, 0],
      [req, 1],
      [{ type: 'approved', vendTxn: 'v1', chargedFen: 450 }, 2],
      [{ type: 'vend_failure', vendTxn: 'v1' }, 3],
      [{ type: 'vend_failure', vendTxn: 'v1' }, 4],
    ]);
    expect(r.effects).toEqual(['authorize', 'void:vend_failed']);
    expect(r.ignored).toEqual(['vend result for no approved vend']);
  });
  it('timeouts at each step void what is held and end the session', () => {
    expect(
      run([
        [begin, 0],
        [{ type: 'timeout' }, DEFAULT_VEND_TIMEOUTS.sessionMs],
      ]).effects,
    ).toEqual(['end_session:timeout']);
    expect(
      run([
        [begin, 0],
        [req, 1],
        [{ type: 'timeout' }, 1 + DEFAULT_VEND_TIMEOUTS.approvalMs],
      ]).effects,
    ).toEqual(['authorize', 'void:timeout', 'end_session:timeout']);
    expect(
      run([
        [begin, 0],
        [req, 1],
        [{ type: 'approved', vendTxn: 'v1', chargedFen: 450 }, 2],
        [{ type: 'timeout' }, 2 + DEFAULT_VEND_TIMEOUTS.vendResultMs - 1],
      ]).effects,
    ).toEqual(['authorize']);
    expect(
      run([
        [begin, 0],
        [req, 1],
        [{ type: 'approved', vendTxn: 'v1', chargedFen: 450 }, 2],
        [{ type: 'timeout' }, 2 + DEFAULT_VEND_TIMEOUTS.vendResultMs],
      ]).effects,
    ).toEqual(['authorize', 'void:timeout', 'end_session:timeout']);
  });
  it('denial returns to the session; cancel voids a pending request; cancel during dispensing is refused', () => {
    expect(
      run([
        [begin, 0],
        [req, 1],
        [{ type: 'denied', vendTxn: 'v1' }, 2],
        [{ type: 'cancel' }, 3],
      ]).effects,
    ).toEqual(['authorize', 'end_session:cancelled']);
    expect(
      run([
        [begin, 0],
        [req, 1],
        [{ type: 'cancel' }, 2],
      ]).effects,
    ).toEqual(['authorize', 'void:cancelled', 'end_session:cancelled']);
    const r = run([
      [begin, 0],
      [req, 1],
      [{ type: 'approved', vendTxn: 'v1', chargedFen: 450 }, 2],
      [{ type: 'cancel' }, 3],
    ]);
    expect(r.s.name).toBe('approved');
    expect(r.ignored).toEqual(['the item is being dispensed: report its result first']);
  });
  it('leaves a price above the wallet to the engine (benefits may cover it) and refuses messages out of order', () => {
    const above = run([
      [begin, 0],
      [{ ...req, priceFen: 2000 } as VendEvent, 1],
    ]);
    expect(above.ignored).toEqual([]);
    expect(above.s.name).toBe('requested');
    expect(run([[req, 0]]).ignored).toEqual(['vend request outside a session']);
    expect(
      run([
        [begin, 0],
        [req, 1],
        [{ type: 'approved', vendTxn: 'other', chargedFen: 1 }, 2],
      ]).ignored,
    ).toEqual(['approval for no pending vend']);
  });
});
