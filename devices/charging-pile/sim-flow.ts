import type { WireCredential } from '../../firmware-protocol/src/messages/credential.ts';
import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { present } from '../../sim/src/flows/credential.ts';
import type { KindScenarios } from '../../sim/src/kinds/kind-scenarios.ts';
import type { TwinDevice } from '../../sim/src/kinds/model.ts';
import type { Rng } from '../../sim/src/prng.ts';
import { presentedBy } from '../../sim/src/resident.ts';
import type { ChargingPileModel } from './sim-twin.ts';

const pile = (d: TwinDevice) => d.model as ChargingPileModel;

interface ChargeOutcome {
  begin: ResponseBody;
  end?: ResponseBody;
}

/**
 * [FWP-11.9] A resident charges an e-bike at `socket`: tap, the hold, `minutes` of charging on the pile's
 * meter (simulated at once: no real waiting), then the plug comes out (or the battery is full) and the
 * pile settles. With `resendEnd` the pile, unsure its settlement arrived, sends it again (same txn).
 */
export function charge(
  d: TwinDevice,
  credential: WireCredential,
  opts: { socket: string; hours?: number; minutes: number; powerW?: number; reason?: 'unplugged' | 'full' },
): Promise<ChargeOutcome> {
  return d.flow(async () => {
    const session = d.newTxn();
    const begin = await d.request(
      { op: 'charge_begin', socket: opts.socket, credential, ...(opts.hours ? { hours: opts.hours } : {}) },
      session,
    );
    if (begin.status !== 'ok' || begin.decision !== 'approved') return { begin };
    const m = pile(d);
    m.startCharging(opts.socket, opts.powerW ?? 400);
    m.meter(opts.socket, opts.minutes);
    if (opts.reason === 'full') {
      m.batteryFull(opts.socket);
      await d.sendEvent({ event: 'socket', socket: opts.socket, state: 'full' }, session);
    }
    const { energyWh } = m.unplug(opts.socket);
    await d.sendEvent({ event: 'socket', socket: opts.socket, state: 'unplugged' }, session);
    const end = await d.request(
      {
        op: 'charge_end',
        socket: opts.socket,
        session,
        minutes: opts.minutes,
        energyWh,
        reason: opts.reason ?? 'unplugged',
      },
      d.newTxn(),
    );
    return { begin, end };
  });
}

const freeSocket = (d: TwinDevice) => [...pile(d).sockets.values()].find((s) => s.state === 'idle')?.id;

/** A resident's evening charge at a free socket: two to eight hours chosen, thirty minutes to five hours used. */
async function eveningCharge(d: TwinDevice, credential: () => WireCredential, rng: Rng): Promise<string> {
  const socket = freeSocket(d);
  if (!socket) return 'every socket is busy';
  const hours = 2 + Math.floor(rng() * 7);
  const minutes = Math.min(hours * 60, 30 + Math.floor(rng() * 270));
  const r = await charge(d, credential(), { socket, hours, minutes, reason: rng() < 0.3 ? 'full' : 'unplugged' });
  if (r.begin.status !== 'ok') return `refused ${r.begin.code}`;
  if (!r.end) return `declined ${r.begin.declineCode ?? ''}`.trim();
  return r.end.status === 'ok' ? `charged ${minutes} min: ¥${((r.end.payableFen ?? 0) / 100).toFixed(2)}` : r.end.code;
}

export const chargingPileScenarios: KindScenarios = {
  daily: (run) => (d, member) =>
    void eveningCharge(d, () => present(presentedBy(member)), run.rng).then(
      run.report(d.id, 'resident'),
      run.failed(d.id),
    ),
  trouble(d, rng, later) {
    if (rng() > 0.3) return undefined;
    const socket = freeSocket(d);
    if (!socket) return undefined;
    // a faulty charger overheats a socket: the gateway must cut it at once
    pile(d).overload(socket, 9.5, 78);
    d.sendTelemetryNow();
    later(60_000, () => {
      pile(d).reset(socket);
      d.sendTelemetryNow();
    });
    return `socket ${socket} overheating`;
  },
};
