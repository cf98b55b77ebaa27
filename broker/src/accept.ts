import type { Socket } from 'node:net';
import type { Aedes } from 'aedes';
import type { Connection } from './connections.ts';
import type { Core } from './core.ts';
import { handleVerdict } from './oversize.ts';
import { GuardedConnection, normalizeAddress } from './transport/guarded-connection.ts';
import type { Transport } from './transport/listeners.ts';

/**
 * A new socket, handed to aedes. It takes a pending place first (mqtt.pendingPerAddress,
 * mqtt.pendingTotal; a TLS socket took its place for the handshake already) or is destroyed at once,
 * and it must be authenticated within connectTimeoutMs. Its stream bounds what may wait unread in the
 * socket (mqtt.maxQueuedBytesPerClient).
 */
export function acceptConnection(
  core: Core,
  aedes: Aedes,
  socket: Socket,
  transport: Transport,
  handshakePlace?: () => void,
): void {
  const address = normalizeAddress(socket.remoteAddress);
  const place = handshakePlace ? { ok: true as const, release: handshakePlace } : core.pending.admit(address);
  if (!place.ok) {
    refusedPending(core, address, transport, place.why);
    socket.destroy();
    return;
  }
  socket.setNoDelay(true);
  const { config } = core.ctx;
  const stream = new GuardedConnection(socket, {
    maxPacketBytes: config.maxPacketBytes,
    maxQueuedBytes: config.maxQueuedBytesPerClient,
    onVerdict: (verdict) => handleVerdict(core, conn, verdict),
    onSlowConsumer: (queuedBytes) => slowConsumer(core, conn, queuedBytes),
    turns: core.turns,
  });
  const conn = core.conns.add(stream, transport, place.release);
  conn.deadline = setTimeout(() => preAuthTimeout(core, conn), config.connectTimeoutMs);
  conn.deadline.unref();
  stream.once('close', () => core.conns.closed(conn));
  // aedes' own setup of a client (its parser, streams, timers) takes a turn's share like its packets do;
  // the socket's first bytes wait behind it in the same order
  core.turns.run(() => {
    if (!stream.destroyed) aedes.handle(stream);
  });
}

/** A socket (or TLS handshake) closed at once: its address, or everyone, has too many pending already. */
export function refusedPending(core: Core, address: string, transport: Transport, why: string): void {
  core.counters.pendingRefused += 1;
  core.limitedLog.warn(`pending-refused:${address}`, { address, transport }, `connection closed at once: ${why}`);
}

/** Not authenticated within connectTimeoutMs: an idle socket, a CONNECT trickling in, or a hung check. */
function preAuthTimeout(core: Core, conn: Connection): void {
  if (!conn.pending) return;
  core.counters.preAuthTimeouts += 1;
  const ms = core.ctx.config.connectTimeoutMs;
  core.limitedLog.warn(
    `pre-auth-timeout:${conn.address}`,
    { address: conn.address, state: conn.state },
    `not authenticated within ${ms} ms; closing the connection`,
  );
  conn.stream.terminate();
}

/** More than maxQueuedBytesPerClient waited unread in its socket: the stream destroys it right after this. */
function slowConsumer(core: Core, conn: Connection, queuedBytes: number): void {
  conn.reason ??= 'slow_consumer';
  core.counters.slowConsumers += 1;
  core.limitedLog.warn(
    `slow-consumer:${conn.address}`,
    {
      clientId: core.clip(conn.connect?.clientId),
      address: conn.address,
      queuedBytes,
      limit: core.ctx.config.maxQueuedBytesPerClient,
    },
    'slow consumer: the client stopped reading; closing the connection',
  );
}
