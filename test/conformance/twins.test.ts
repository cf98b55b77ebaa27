import { describe, expect, it } from 'vitest';
import { commandsOf, KIND_MODULES } from '../../devices/registry.ts';
import { asExpected, runAgainstTwin, timeline } from './kit-twin.ts';

/**
 * The kit against the simulator's twin of every kind in the registry, the kit standing in for the
 * gateway on a loopback port: a kind added to the registry is walked through its own clauses here
 * without a new test.
 */
describe('the simulator twin of every kind passes the conformance kit', () => {
  for (const m of KIND_MODULES) {
    it(`${m.wire.kind}: every clause passes (but SimDevice's known deviations)`, async () => {
      const run = await runAgainstTwin(m.wire.kind);
      expect(
        run.results.filter((c) => !asExpected(c)),
        timeline(run),
      ).toEqual([]);
      // every command the kind implements was sent and acknowledged, its own ones included
      for (const name of commandsOf(m)) expect(run.byId.get(`command:${name}`)?.verdict, name).toBe('pass');
      // the kit kept the answer to the first request back, and only that one
      expect(run.seen.filter((s) => s.kind === 'down' && s.withheld)).toHaveLength(1);
    }, 90_000);
  }
});
