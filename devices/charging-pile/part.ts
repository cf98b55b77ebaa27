import type { KindPart, KindPartPorts } from '../kind-part.ts';
import { ChargingFlow } from './charging-flow.ts';
import { chargingRoutes } from './routes.ts';
import { dangers, OCCUPIED_AFTER_FULL_MS } from './rules.ts';
import { CHARGING_MIGRATIONS, ChargingSessions } from './sessions.ts';
import {
  type ChargingPileCapabilities,
  ChargingPileCapabilitiesSchema,
  type ChargingPileTelemetry,
  type SocketEvent,
} from './wire.ts';

/**
 * The gateway side of charging piles: charges (hold, settle by the meter), the power cut when a
 * socket is a fire risk, and the socket a full battery keeps occupied.
 */
export function chargingPilePart(p: KindPartPorts): KindPart {
  const sessions = new ChargingSessions(p.db);
  const flow = new ChargingFlow(p, sessions);
  /** device|socket → since when its battery is full with the plug still in (monotonic ms). */
  const fullSince = new Map<string, number>();
  /** device|socket|code: cut once per episode; a socket that cools down or settles may be cut again later. */
  const cut = new Set<string>();
  const key = (deviceId: string, socket: string) => `${deviceId}|${socket}`;
  /** Piles with an OCCUPIED_AFTER_FULL finding raised, so it is cleared when their sockets free up. */
  const flagged = new Set<string>();

  const capabilities = (deviceId: string): ChargingPileCapabilities | undefined => {
    const parsed = ChargingPileCapabilitiesSchema.safeParse(p.capabilitiesOf(deviceId) ?? {});
    return parsed.success ? parsed.data : undefined;
  };

  const cutSocket = (deviceId: string, socket: string, code: 'OVER_CURRENT' | 'OVER_TEMPERATURE', why: string) => {
    // a fire risk: the alert goes out at once, and the socket's power is cut by command, not left to the pile
    p.alert({ deviceId, code, message: `charging pile alert: ${why}; cutting the socket` });
    const reason = code === 'OVER_CURRENT' ? 'over_current' : 'over_temperature';
    void p
      .command(deviceId, 'cut_socket', { socket, reason })
      .then((status) => {
        if (status !== 'done') p.log.error({ deviceId, socket, status }, 'the pile did not cut the socket');
      })
      .catch((err: unknown) => p.log.error({ err, deviceId, socket }, 'cut_socket could not be sent'));
  };

  return {
    requests: flow,
    migrations: CHARGING_MIGRATIONS,
    routes: chargingRoutes(sessions, p),
    events: {
      socket: async (deviceId, body) => {
        const e = body as SocketEvent;
        if (e.state === 'full') fullSince.set(key(deviceId, e.socket), p.clock.monotonic());
        else fullSince.delete(key(deviceId, e.socket));
      },
    },
    onTelemetry(deviceId, telemetry) {
      const t = telemetry as ChargingPileTelemetry;
      const now = dangers(t, capabilities(deviceId));
      const live = new Set(now.map((d) => `${key(deviceId, d.socket)}|${d.code}`));
      for (const k of [...cut]) if (k.startsWith(`${deviceId}|`) && !live.has(k)) cut.delete(k);
      for (const d of now) {
        const k = `${key(deviceId, d.socket)}|${d.code}`;
        if (cut.has(k)) continue;
        cut.add(k);
        cutSocket(deviceId, d.socket, d.code, d.message);
      }
      for (const s of t.sockets ?? []) {
        const k = key(deviceId, s.id);
        if (s.state === 'full' && s.plugged !== false) {
          if (!fullSince.has(k)) fullSince.set(k, p.clock.monotonic());
        } else fullSince.delete(k);
      }
    },
    async tick() {
      const mono = p.clock.monotonic();
      const late = new Map<string, string[]>([...flagged].map((id) => [id, []]));
      for (const [k, since] of fullSince) {
        const [deviceId = '', socket = ''] = k.split('|');
        if (!late.has(deviceId)) late.set(deviceId, []);
        if (mono - since >= OCCUPIED_AFTER_FULL_MS) late.get(deviceId)?.push(socket);
      }
      for (const [deviceId, sockets] of late) {
        if (sockets.length === 0 && !flagged.has(deviceId)) continue;
        if (sockets.length > 0) flagged.add(deviceId);
        else flagged.delete(deviceId);
        p.setFinding(
          deviceId,
          'OCCUPIED_AFTER_FULL',
          sockets.length > 0
            ? {
                severity: 'degraded',
                code: 'OCCUPIED_AFTER_FULL',
                message:
                  `socket ${sockets.join(', ')} still ` +
                  `occupied ${Math.round(OCCUPIED_AFTER_FULL_MS / 60_000)}+ min after the battery was full`,
              }
            : undefined,
        );
      }
    },
  };
}
