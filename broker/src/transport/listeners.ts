import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { MqttConfig } from '../../../gateway/config/schema.ts';
import type { Logger } from '../../../gateway/core/log.ts';

export type Transport = 'tcp' | 'tls';

export interface Listeners {
  tcp: Server;
  tls: TlsServer | undefined;
  port: number;
  tlsPort: number | undefined;
}

/**
 * Sockets accepted beyond maxConnections, for clients still in their CONNECT: they are refused with a
 * CONNACK by preConnect instead of a silent reset. Beyond this the kernel-level cap drops them unseen.
 */
const PRE_CONNECT_HEADROOM = 64;

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
 */
export async function openListeners(config: MqttConfig, onSocket: (socket: Socket, transport: Transport) => void, log: Logger): Promise<Listeners> {
  const cap = config.maxConnections + PRE_CONNECT_HEADROOM;
  const tcp = createServer((socket) => onSocket(socket, 'tcp'));
  tcp.maxConnections = cap;
  tcp.on('error', (err) => log.error({ err }, 'MQTT listener error'));
  let tls: TlsServer | undefined;
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
      tls = createTlsServer(
        {
          cert,
          key,
          ...(ca ? { ca } : {}),
          requestCert: t.requestClientCert || t.requireClientCert,
          rejectUnauthorized: t.requireClientCert,
          handshakeTimeout: config.connectTimeoutMs,
          minVersion: 'TLSv1.2',
        },
        (socket) => onSocket(socket, 'tls'),
      );
      tls.maxConnections = cap;
      tls.on('tlsClientError', (err, socket) =>
        log.warn({ address: socket.remoteAddress, err: err.message }, 'TLS handshake refused (no or invalid client certificate?)'),
      );
      tls.on('error', (err) => log.error({ err }, 'MQTT TLS listener error'));
      tlsPort = await listen(tls, t.host, t.port);
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
