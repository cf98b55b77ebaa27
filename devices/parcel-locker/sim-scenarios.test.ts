import { describe, expect, it } from 'vitest';
import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import type { ScenarioRun } from '../../sim/src/kinds/kind-scenarios.ts';
import type { TwinDevice } from '../../sim/src/kinds/model.ts';
import type { Resident } from '../../sim/src/resident.ts';
import { parcelLockerScenarios } from './sim-scenarios.ts';
import { ParcelLockerModel } from './sim-twin.ts';

/** A locker twin that the gateway always answers "approved, open A1", recording what it asked. */
function fakeLocker() {
  const asked: ({ op: string } & Record<string, unknown>)[] = [];
  const flows: Promise<unknown>[] = [];
  let txn = 0;
  const d = {
    id: 'locker-t',
    model: new ParcelLockerModel(),
    connected: true,
    born: true,
    newTxn: () => `t-${++txn}`,
    request: async (body: { op: string } & Record<string, unknown>): Promise<ResponseBody> => {
      asked.push(body);
      return {
        status: 'ok',
        op: body.op,
        decision: 'approved',
        open: [{ compartment: 'A1' }],
        display: { zh: '', en: '' },
      };
    },
    flow: <T>(fn: () => Promise<T>) => {
      const p = fn();
      flows.push(p);
      return p;
    },
    sendTelemetryNow: () => undefined,
    sendEvent: async () => undefined,
    drop: () => undefined,
    setTemperature: () => undefined,
    openDoor: () => undefined,
    closeDoor: () => undefined,
  } as unknown as TwinDevice;
  return { d, asked, settled: () => Promise.all(flows) };
}

describe('the parcel locker in daily life (simulator)', () => {
  it('residents come for their parcels in the order they were deposited, each once', async () => {
    const members: Resident[] = Array.from({ length: 6 }, (_, i) => ({ id: `m-${i + 1}`, uid: `0400000${i + 1}` }));
    const run: ScenarioRun = {
      // never the early pickup: deposits until four wait, then the longest-waiting resident comes
      rng: () => 0.9,
      residents: { members },
      later: () => undefined,
      online: () => [],
      report: () => () => undefined,
      failed: () => () => undefined,
      note: () => undefined,
    };
    const turn = parcelLockerScenarios.daily?.(run);
    if (!turn) throw new Error('the locker has no daily turn');
    const { d, asked, settled } = fakeLocker();
    // parcels for the last four members first: the one who comes is not the first in the member list
    for (const m of [...members.slice(2), ...members.slice(0, 2)]) {
      turn(d, m);
      await settled();
    }
    expect(asked.map((a) => a.op)).toEqual(['deposit', 'deposit', 'deposit', 'deposit', 'pickup', 'deposit']);
    const uids = asked.filter((a) => a.op === 'pickup').map((a) => (a.credential as { uid: string }).uid);
    expect(uids).toEqual(['04000003']);
  });
});
