import type { EventEmitter } from 'node:events';
import type { Aedes } from 'aedes';
import type { Core } from './core.ts';

/**
 * aedes' connection events → our connection table and device presence:
 * - 'client': aedes registered an authenticated client (before its CONNACK) → 'connected';
 * - 'clientDisconnect': it unregistered one → 'disconnected', with the reason we learned before;
 * - 'keepaliveTimeout': fires just before the timeout's error closes the client.
 * Errors of single clients are routine (resets, timeouts) and logged at debug; broker errors at error.
 */
export function wireEvents(aedes: Aedes, core: Core, onTakeover: (deviceId: string) => void): void {
  const { conns, ctx } = core;
  aedes.on('client', (client) => {
    const conn = conns.of(client.conn);
    if (!conn) return;
    if (conn.revoked) {
      // kick() came while this connection was still connecting
      client.close();
      return;
    }
    conns.registered(conn);
  });
  aedes.on('clientDisconnect', (client) => {
    const conn = conns.of(client.conn);
    if (!conn) return;
    const takenOver = conns.unregistered(conn);
    if (takenOver !== undefined) onTakeover(takenOver);
  });
  aedes.on('keepaliveTimeout', (client) => {
    const conn = conns.of(client.conn);
    if (conn) conn.reason ??= 'keepalive_timeout';
  });
  aedes.on('clientError', (client, err) =>
    ctx.log.debug({ clientId: core.clip(client.id), err: err.message }, 'client error'),
  );
  aedes.on('connectionError', (client, err) => {
    const conn = conns.of(client.conn);
    ctx.log.debug({ address: conn?.address, err: err.message }, 'connection error before CONNACK');
  });
  // an 'error' without a listener would throw and take the gateway down
  const emitter: EventEmitter = aedes;
  emitter.on('error', (err: Error) => ctx.log.error({ err }, 'MQTT broker error'));
}
