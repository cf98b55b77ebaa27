import { describe, expect, it } from 'vitest';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { invalidCapabilities, keepsBdSeq, neverAcks, NewTxnOnResend } from './broken-twins.ts';
import { type MakeDevice, NEVER_EXERCISED, runAgainstTwin, SIM_DEVIATIONS, timeline } from './kit-twin.ts';

const CASES: { twin: string; kind: DeviceKind; make: MakeDevice; breaks: string; reason: RegExp }[] = [
  {
    twin: 'births with capabilities its kind refuses',
    kind: 'door_reader',
    make: invalidCapabilities,
    breaks: 'birth',
    reason: /capabilities invalid for a door_reader: capabilities\.readers\.0/,
  },
  {
    twin: 'never acknowledges unlock_door',
    kind: 'door_reader',
    make: neverAcks('unlock_door'),
    breaks: 'command:unlock_door',
    reason: /no ack within timeoutMs 5000 ms/,
  },
  {
    twin: 'resends an unanswered request under a new txn',
    kind: 'vending_machine',
    make: (o) => new NewTxnOnResend(o),
    breaks: 'request-resend',
    reason: /resent under txn/,
  },
  {
    twin: 'keeps its bdSeq after a lost connection',
    kind: 'parcel_locker',
    make: keepsBdSeq,
    breaks: 'reconnect',
    reason: /the new will has bdSeq \d+, expected \d+; the new birth has bdSeq \d+, expected \d+/,
  },
];

/** A deliberately broken twin fails exactly the clause it breaks, and passes the others. */
describe('a broken twin fails exactly the clause it breaks', () => {
  for (const c of CASES) {
    it(`a ${c.kind} that ${c.twin} fails ${c.breaks}`, async () => {
      const run = await runAgainstTwin(c.kind, { make: c.make });
      const failed = run.results.filter((r) => r.verdict === 'fail' && !SIM_DEVIATIONS.has(r.id));
      expect(
        failed.map((r) => `${r.id}: ${r.reason}`),
        timeline(run),
      ).toEqual([expect.stringMatching(new RegExp(`^${c.breaks}: `))]);
      expect(failed[0]?.reason).toMatch(c.reason);
      const others = run.results.filter(
        (r) => r.id !== c.breaks && !SIM_DEVIATIONS.has(r.id) && !NEVER_EXERCISED.has(r.id),
      );
      expect(
        others.filter((r) => r.verdict !== 'pass'),
        timeline(run),
      ).toEqual([]);
    }, 90_000);
  }
});
