import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { MqttConfig } from '../../../gateway/config/schema.ts';
import type { LimitedLogger } from '../../../gateway/core/log-limiter.ts';
import type { Logger } from '../../../gateway/core/log.ts';
import type { Admission } from '../limits/pending.ts';
import { normalizeAddress } from './guarded-connection.ts';

export type Transport = 'tcp' | 'tls';

export interface Listeners {
  /** The plain listener: only with mqtt.plaintext. */
  tcp: Server | undefined;
  /** The TCP listener in front of the TLS server (which never listens itself). */
  tls: Server | undefined;
  /** The TLS server, whose certificate a renewal replaces (setSecureContext) without closing anything. */
  secure: TlsServer | undefined;
  /** What the secure context is made of besides the certificate and key (the client CA, the minimum version). */
  contextOptions: SecureContextOptions;
  port: number | undefined;
  tlsPort: number | undefined;
}

/** The server certificate and key (PEM) when the config names no files: the gateway's local CA issued them. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
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
  /** The certificate to serve when mqtt.tls names no certFile/keyFile. */
  tlsCredentials?: (() => TlsCredentials) | undefined;
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
 * Opens the plain TCP listener when mqtt.plaintext is on and the TLS one when mqtt.tls is (the default).
 * A client certificate is requested with `requestClientCert` and required (handshake refused without a
 * valid one, checked against `caFile`) with `requireClientCert`. Port 0 picks a free port; the real ports are returned.
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
  let tcp: Server | undefined;
  let port: number | undefined;
  if (config.plaintext) {
    // [FWP-2.1] TCP_NODELAY: an answer is one small packet, and Nagle's algorithm would hold it until the
    // device's delayed ACK (40 ms on Linux) for every request that follows an unacknowledged write
    const plain = createServer({ noDelay: true }, (socket) => hooks.onSocket(socket, 'tcp'));
    plain.maxConnections = cap;
    // an error while starting to listen (port taken) is the start's to report, once, without a stack here
    plain.on('error', (err) => {
      if (plain.listening) log.error({ err }, 'MQTT listener error');
    });
    tcp = plain;
    port = await listen(plain, config.host, config.port);
  }
  let tls: Server | undefined;
  let secureServer: TlsServer | undefined;
  let tlsPort: number | undefined;
  const contextOptions: SecureContextOptions = { minVersion: 'TLSv1.2' };
  try {
    if (config.tls.enabled) {
      const t = config.tls;
      const [pair, ca] = await Promise.all([
        t.certFile && t.keyFile
          ? Promise.all([readPem(t.certFile, 'certFile'), readPem(t.keyFile, 'keyFile')])
          : Promise.resolve(hooks.tlsCredentials?.()).then((c) => (c ? [c.cert, c.key] : undefined)),
        t.caFile ? readPem(t.caFile, 'caFile') : Promise.resolve(undefined),
      ]);
      if (!pair) throw new Error('mqtt.tls: no certFile and keyFile, and no local CA to issue a certificate');
      const [cert, key] = pair;
      if (ca) contextOptions.ca = ca;
      // the place a handshake took, by the peer's address and port, until the TLS socket is accepted
      const handshakes = new Map<string, () => void>();
      const peer = (s: Socket) => `${s.remoteAddress ?? ''}|${s.remotePort ?? ''}`;
      const secure: TlsServer = createTlsServer(
        {
          ...contextOptions,
          cert,
          key,
          requestCert: t.requestClientCert || t.requireClientCert,
          rejectUnauthorized: t.requireClientCert,
          handshakeTimeout: config.connectTimeoutMs,
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
      secureServer = secure;
      tlsPort = await listen(front, t.host, t.port);
    }
  } catch (err) {
    if (tcp) await closeServer(tcp);
    throw err;
  }
  return { tcp, tls, secure: secureServer, contextOptions, port, tlsPort };
}

/** Serves a renewed certificate to the handshakes from now on; connections already open keep theirs. */
export function replaceCertificate(l: Listeners, c: TlsCredentials): void {
  l.secure?.setSecureContext({ ...l.contextOptions, cert: c.cert, key: c.key });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

/** Stops accepting; resolves when every connection of both listeners has closed (the caller destroys them). */
export async function closeListeners(l: Listeners): Promise<void> {
  await Promise.all([l.tcp ? closeServer(l.tcp) : Promise.resolve(), l.tls ? closeServer(l.tls) : Promise.resolve()]);
}
