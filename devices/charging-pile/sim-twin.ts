import type * as z from 'zod';
import type { KindModel, ModelEffects, TwinCommand } from '../../sim/src/kinds/model.ts';
import { between, type Rng } from '../../sim/src/prng.ts';
import { type ChargingPileCapabilitiesSchema, chargingPileWire } from './wire.ts';

type Caps = z.input<typeof ChargingPileCapabilitiesSchema>;

type SocketState = 'idle' | 'charging' | 'full' | 'fault';

interface Socket {
  id: string;
  state: SocketState;
  plugged: boolean;
  currentA: number;
  temperatureC: number;
  energyWh: number;
  /** Why the gateway cut it, if it did. */
  cutReason: string | undefined;
}

/** Ten 1 kW sockets at ¥1.00 per started hour, charges up to 8 h: a typical community pile. */
function chargingPileCapabilities(): Caps {
  return {
    sockets: Array.from({ length: 10 }, (_, i) => ({ id: String(i + 1), maxPowerW: 1000 })),
    tariff: { per: 'hour', priceFen: 100 },
    maxHours: 8,
    readers: ['nfc', 'qr'],
  };
}

/** A simulated e-bike charging pile: sockets with plugs, meters, currents and temperatures. */
export class ChargingPileModel implements KindModel {
  temperatureC: number | undefined = 24;
  readonly sockets = new Map<string, Socket>();

  constructor(readonly capabilities: Caps = chargingPileCapabilities()) {
    for (const s of capabilities.sockets)
      this.sockets.set(s.id, {
        id: s.id,
        state: 'idle',
        plugged: false,
        currentA: 0,
        temperatureC: 25,
        energyWh: 0,
        cutReason: undefined,
      });
  }

  private socket(id: string): Socket {
    const s = this.sockets.get(id);
    if (!s) throw new Error(`the simulated pile has no socket ${id}`);
    return s;
  }

  /** A plug goes in and power flows (the gateway approved the charge). */
  startCharging(id: string, powerW = 400): void {
    const s = this.socket(id);
    Object.assign(s, { state: 'charging', plugged: true, currentA: +(powerW / 220).toFixed(2), energyWh: 0 });
    s.cutReason = undefined;
  }

  /** The pile's meter moves on by `minutes` at the socket's power. */
  meter(id: string, minutes: number): void {
    const s = this.socket(id);
    if (s.state === 'charging') s.energyWh += Math.round(((s.currentA * 220) / 60) * minutes);
  }

  /** The battery is full: power stops, the plug may stay in. */
  batteryFull(id: string): void {
    Object.assign(this.socket(id), { state: 'full', currentA: 0 });
  }

  /** The plug comes out: what the meter read for this charge. */
  unplug(id: string): { energyWh: number } {
    const s = this.socket(id);
    const energyWh = s.energyWh;
    Object.assign(s, { state: s.state === 'fault' ? 'fault' : 'idle', plugged: false, currentA: 0, energyWh: 0 });
    return { energyWh };
  }

  /** A faulty charger on a socket: it draws this current and heats up. */
  overload(id: string, currentA: number, temperatureC: number): void {
    Object.assign(this.socket(id), { currentA, temperatureC });
  }

  /** Staff reset a socket the gateway cut, once its charger is gone. */
  reset(id: string): void {
    Object.assign(this.socket(id), {
      state: 'idle',
      plugged: false,
      currentA: 0,
      temperatureC: 28,
      cutReason: undefined,
    });
  }

  cutReason(id: string): string | undefined {
    return this.socket(id).cutReason;
  }

  telemetry() {
    return {
      kind: chargingPileWire.kind,
      temperatureC: this.temperatureC,
      sockets: [...this.sockets.values()].map((s) => ({
        id: s.id,
        state: s.state,
        plugged: s.plugged,
        currentA: s.currentA,
        temperatureC: s.temperatureC,
        energyWh: s.energyWh,
      })),
    };
  }

  command(body: TwinCommand, fx: ModelEffects) {
    if (body.name !== 'cut_socket') return undefined;
    const args = chargingPileWire.commands.cut_socket.parse(body.args);
    const s = this.sockets.get(args.socket);
    if (!s) return { status: 'rejected' as const, reason: 'E_NO_SUCH_SOCKET', detail: `no socket ${args.socket}` };
    // the relay opens: no current, and the socket stays out of order until staff reset it
    Object.assign(s, { state: 'fault', currentA: 0, cutReason: args.reason });
    fx.changed();
    return { status: 'done' as const, result: { socket: s.id } };
  }

  setOpen(): boolean {
    return false;
  }

  drift(rng: Rng): void {
    if (this.temperatureC !== undefined && this.temperatureC < 40)
      this.temperatureC = Math.round(between(rng, 18, 30) * 10) / 10;
    for (const s of this.sockets.values())
      if (s.state !== 'fault' && s.temperatureC < 60) s.temperatureC = Math.round(between(rng, 22, 35) * 10) / 10;
  }
}
