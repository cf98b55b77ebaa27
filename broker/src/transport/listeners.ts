import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { MqttConfig } from '../../../gateway/config/schema.ts';
import type { LimitedLogger } from '../../../gateway/core/log-limiter.ts';
import type { Logger } from '../../../gateway/core/log.ts';
import type { Admission } from '../limits/pending.ts';
import { normalizeAddress } from './guarded-connection.ts';

export type Transport = 'tcp' | 'tls';

export interface Listeners {
  tcp: Server;
  /** The TCP listener in front of the TLS server (which never listens itself). */
  tls: Server | undefined;
  port: number;
  tlsPort: number | undefined;
}

interface ListenerHooks {
  /**
   * An accepted socket. `release` is set for TLS: the pending place its handshake took, which the
   * connection keeps until it is authenticated; a plain TCP socket is admitted by the callee.
   */
  onSocket(socket: Socket, transport: Transport, release?: () => void): void;
  /** A place among the pending connections for a TLS handshake about to start (see PendingGate). */
  admitHandshake(address: string): Admission;
  /** A TLS handshake was refused by the pending limits. */
  onHandshakeRefused(address: string, why: string): void;
}

/**
 * Sockets above maxConnections + pendingTotal that Node still counts, while they close (the graceful
 * close of GuardedConnection takes up to CLOSE_GRACE_MS). Beyond the cap Node drops sockets unseen.
 */
const CLOSING_HEADROOM = 64;

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

async function readPem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`mqtt.tls.${what}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Opens the plain TCP listener and, when enabled, the TLS one. A client certificate is requested with
 * `requestClientCert` and required (handshake refused without a valid one, checked against `caFile`)
 * with `requireClientCert`. Port 0 picks a free port; the real ports are returned.
 *
 * TLS sockets are accepted by a plain TCP listener and handed to the TLS server, so a handshake takes
 * a pending place before it starts: idle or stalled handshakes count against the same per-address and
 * total limits as idle plain connections.
 */
export async function openListeners(
  config: MqttConfig,
  hooks: ListenerHooks,
  log: Logger,
  limitedLog: LimitedLogger,
): Promise<Listeners> {
  const cap = config.maxConnections + config.pendingTotal + CLOSING_HEADROOM;
  // [FWP-2.1] TCP_NODELAY: an answer is one small packet, and Nagle's algorithm would hold it until the
  // device's delayed ACK (40 ms on Linux) for every request that follows an unacknowledged write
  const tcp = createServer({ noDelay: true }, (socket) => hooks.onSocket(socket, 'tcp'));
  tcp.maxConnections = cap;
  // an error while starting to listen (port taken) is the start's to report, once, without a stack here
  tcp.on('error', (err) => {
    if (tcp.listening) log.error({ err }, 'MQTT listener error');
  });
  let tls: Server | undefined;
  let tlsPort: number | undefined;
  const port = await listen(tcp, config.host, config.port);
  try {
    if (config.tls.enabled) {
      const t = config.tls;
      if (!t.certFile || !t.keyFile) throw new Error('mqtt.tls: certFile and keyFile are required when TLS is enabled');
      const [cert, key, ca] = await Promise.all([
        readPem(t.certFile, 'certFile'),
        readPem(t.keyFile, 'keyFile'),
        t.caFile ? readPem(t.caFile, 'caFile') : Promise.resolve(undefined),
      ]);
      // the place a handshake took, by the peer's address and port, until the TLS socket is accepted
      const handshakes = new Map<string, () => void>();
      const peer = (s: Socket) => `${s.remoteAddress ?? ''}|${s.remotePort ?? ''}`;
      const secure: TlsServer = createTlsServer(
        {
          cert,
          key,
          ...(ca ? { ca } : {}),
          requestCert: t.requestClientCert || t.requireClientCert,
          rejectUnauthorized: t.requireClientCert,
          handshakeTimeout: config.connectTimeoutMs,
          minVersion: 'TLSv1.2',
        },
        (socket) => {
          const release = handshakes.get(peer(socket));
          handshakes.delete(peer(socket));
          hooks.onSocket(socket, 'tls', release);
        },
      );
      secure.on('tlsClientError', (err, socket) => {
        const address = normalizeAddress(socket.remoteAddress);
        limitedLog.warn(
          `tls-refused:${address}`,
          { address, err: err.message },
          'TLS handshake refused (no or invalid client certificate?)',
        );
      });
      secure.on('error', (err) => log.error({ err }, 'MQTT TLS server error'));
      const front = createServer({ noDelay: true }, (raw) => {
        const address = normalizeAddress(raw.remoteAddress);
        const place = hooks.admitHandshake(address);
        if (!place.ok) {
          hooks.onHandshakeRefused(address, place.why);
          raw.destroy();
          return;
        }
        const key = peer(raw);
        handshakes.set(key, place.release);
        raw.once('close', () => {
          if (handshakes.get(key) === place.release) handshakes.delete(key);
          // a closed socket holds no place, whether its handshake failed or its connection ended (idempotent)
          place.release();
        });
        secure.emit('connection', raw);
      });
      front.maxConnections = cap;
      front.on('error', (err) => {
        if (front.listening) log.error({ err }, 'MQTT TLS listener error');
      });
      tls = front;
      tlsPort = await listen(front, t.host, t.port);
    }
  } catch (err) {
    await closeServer(tcp);
    throw err;
  }
  return { tcp, tls, port, tlsPort };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

/** Stops accepting; resolves when every connection of both listeners has closed (the caller destroys them). */
export async function closeListeners(l: Listeners): Promise<void> {
  await Promise.all([closeServer(l.tcp), l.tls ? closeServer(l.tls) : Promise.resolve()]);
}
