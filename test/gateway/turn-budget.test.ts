import { describe, expect, it } from 'vitest';
import { TurnBudget } from '../../gateway/core/turn-budget.ts';

const nextTurn = () => new Promise<void>((r) => setImmediate(() => setImmediate(() => setImmediate(r))));

describe('TurnBudget: a burst of device work spread over event-loop turns', () => {
  it('runs work at once within the budget, defers the rest in order, and drains it turn by turn', async () => {
    let t = 0;
    const budget = new TurnBudget(10, () => t);
    const ran: number[] = [];
    // each job costs 4 ms of the turn: three fit in 10 ms, the rest wait
    const job = (i: number) => () => {
      ran.push(i);
      t += 4;
    };
    for (let i = 0; i < 8; i++) budget.run(job(i));
    expect(ran).toEqual([0, 1, 2]);
    expect(budget.deferred).toBe(5);
    // something the loop had queued meanwhile goes first: the waiting work is in a later turn
    const order: string[] = [];
    setImmediate(() => order.push(`immediate after ${ran.length} jobs`));
    await nextTurn();
    expect(order).toEqual(['immediate after 3 jobs']);
    expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('runs at least one waiting job a turn, even when the clock moved past the budget between readings', async () => {
    let t = 0;
    // every reading is 3 ms after the last one: a turn's budget of 2 ms is gone before any job runs
    const budget = new TurnBudget(2, () => (t += 3));
    const ran: number[] = [];
    for (let i = 0; i < 4; i++) budget.run(() => ran.push(i));
    expect(ran).toEqual([0]);
    for (let turn = 0; turn < 3; turn++) await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3]);
  });

  it('keeps arrival order: work that comes while some waits queues behind it, even in a new turn', async () => {
    let t = 0;
    const budget = new TurnBudget(10, () => t);
    const ran: string[] = [];
    budget.run(() => {
      ran.push('a');
      t += 20;
    });
    budget.run(() => ran.push('b'));
    await new Promise<void>((r) => setImmediate(r));
    t += 100; // a new turn, whose budget is untouched: still behind 'b'
    budget.run(() => ran.push('c'));
    expect(ran).toEqual(['a']);
    await nextTurn();
    await nextTurn();
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('a clock that does not move (a test harness) never defers', () => {
    const budget = new TurnBudget(10, () => 5);
    const ran: number[] = [];
    for (let i = 0; i < 1000; i++) budget.run(() => ran.push(i));
    expect(ran).toHaveLength(1000);
    expect(budget.deferred).toBe(0);
  });

  it('a job that throws does not stall the ones behind it', async () => {
    let t = 0;
    const budget = new TurnBudget(10, () => t);
    budget.run(() => {
      t += 20;
    });
    const ran: string[] = [];
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onError);
    try {
      budget.run(() => {
        throw new Error('boom');
      });
      budget.run(() => ran.push('after'));
      await nextTurn();
      await nextTurn();
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(ran).toEqual(['after']);
  });
});
