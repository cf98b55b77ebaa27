import type { Socket } from 'node:net';
import { Aedes, type AedesPublishPacket, type PublishPacket } from 'aedes';
import { type Core, createCore, LOG_WINDOW_MS, TAKEOVER_WARN_ABOVE } from './core.ts';
import { authorizeForwardHook, authorizePublishHook, authorizeSubscribeHook } from './hooks/authorize.ts';
import { authenticateHook, preConnectHook } from './hooks/connect.ts';
import { MAX_CLIENT_ID_LENGTH } from './auth/accounts.ts';
import { wireEvents } from './events.ts';
import { persistenceWithRetainedTrie } from './retained-store.ts';
import { acceptConnection, refusedPending } from './accept.ts';
import {
  closeListeners,
  openListeners,
  replaceCertificate,
  type Listeners,
  type TlsCredentials,
  type Transport,
} from './transport/listeners.ts';
import type { BrokerContext, BrokerStats, InboundMessage } from './types.ts';

/** stop() never waits longer than this for aedes or the listeners; then it destroys what is left. */
const STOP_TIMEOUT_MS = 3000;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
    p.finally(() => {
      clearTimeout(t);
      resolve();
    }).catch(() => undefined);
  });
}

/**
 * The embedded MQTT 3.1.1 broker: aedes behind the gateway's authentication, topic ACL, connection
 * limits, packet-size guard and device presence. The constructor only assigns; start() listens;
 * stop() closes every client, the listeners and aedes.
 */
export class LinliBroker {
  private readonly core: Core;
  private listeners: Listeners | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private starting: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;
  /** Writes the summaries of suppressed warnings once their window has ended. */
  private logSweep: NodeJS.Timeout | undefined;

  constructor(ctx: BrokerContext) {
    this.core = createCore(ctx);
  }

  async start(): Promise<{ port?: number; tlsPort?: number }> {
    if (this.state !== 'new') throw new Error(`the broker cannot start: it is ${this.state}`);
    this.state = 'starting';
    const run = this.open();
    this.starting = run;
    try {
      const ports = await run;
      this.state = 'running';
      return ports;
    } catch (err) {
      this.state = 'stopped'; // open() released what it had acquired
      throw err;
    }
  }

  /** Idempotent; safe before start() and while it runs. */
  stop(): Promise<void> {
    this.stopping ??= this.close();
    return this.stopping;
  }

  /**
   * Disconnects a device now (disabled, secret rotated, removed): its connection is closed with
   * presence reason 'kicked', and a connection still authenticating as it is refused. True when the
   * device had a connection.
   */
  kick(deviceId: string, reason = 'kicked by the gateway'): boolean {
    const conns = this.core.conns.forDevice(deviceId);
    for (const c of conns) {
      c.reason ??= 'kicked';
      c.revoked = true;
      // still authenticating: refused when its check returns; authenticated: closed when aedes registers it
      if (c.state === 'registered') c.client?.close();
    }
    if (conns.length > 0)
      this.core.ctx.log.info({ deviceId, reason, connections: conns.length }, 'device disconnected by the gateway');
    return conns.length > 0;
  }

  isConnected(deviceId: string): boolean {
    const c = this.core.conns.current(deviceId);
    return c !== undefined && !c.revoked;
  }

  /** Publishes as the gateway: no ACL (client null), delivered to subscribed clients and internal subscribers. */
  publish(topic: string, payload: Buffer | string, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    const aedes = this.core.aedes;
    if (!aedes || aedes.closed) return Promise.reject(new Error('the broker is not running'));
    const packet = {
      cmd: 'publish',
      topic,
      payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
      qos: opts.qos,
      retain: opts.retain,
      dup: false,
    } satisfies PublishPacket;
    return new Promise((resolve, reject) => aedes.publish(packet, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * An in-process subscription (aedes.subscribe: no ACL, no network). The handler runs for every
   * matching publish; its exceptions and rejected promises are logged, never thrown into aedes.
   * Resolves to a function that removes the subscription.
   */
  async subscribe(filter: string, handler: (msg: InboundMessage) => void): Promise<() => Promise<void>> {
    const aedes = this.core.aedes;
    if (!aedes || aedes.closed) throw new Error('the broker is not running');
    // a client's messages can make a handler throw every time: limited like the client's own warnings
    const fail = (err: unknown, topic: string) =>
      this.core.limitedLog.error(`internal-subscriber:${filter}`, { err, topic, filter }, 'internal subscriber failed');
    const deliver = (packet: AedesPublishPacket, cb: () => void) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      try {
        const result: unknown = handler({ topic: packet.topic, payload });
        if (result instanceof Promise) result.catch((err: unknown) => fail(err, packet.topic));
      } catch (err) {
        fail(err, packet.topic);
      }
      cb();
    };
    // aedes reports a filter it cannot take (too many levels) through the callback
    await new Promise<void>((resolve, reject) =>
      aedes.subscribe(filter, deliver, (err?: Error) => (err ? reject(err) : resolve())),
    );
    let removed = false;
    return () => {
      if (removed || aedes.closed) return Promise.resolve();
      removed = true;
      return new Promise<void>((resolve) => aedes.unsubscribe(filter, deliver, () => resolve()));
    };
  }

  stats(): BrokerStats {
    const { conns, pending, counters } = this.core;
    return { connections: conns.size, devicesConnected: conns.devicesOnline, pending: pending.taken(), ...counters };
  }

  private async open(): Promise<{ port?: number; tlsPort?: number }> {
    const { config, log } = this.core.ctx;
    const aedes = await Aedes.createBroker({
      // a backstop only: GuardedConnection completes every write at once, so aedes never waits for a
      // client's socket to drain (one stuck client would hold up everyone's deliveries); slow
      // consumers are bounded by maxQueuedBytesPerClient instead
      drainTimeout: config.drainTimeoutMs,
      // preConnect refuses keepalive 0 or above the limit with CONNACK 2 [MQTT-3.1.2-24]; this backstop,
      // which would answer with aedes' non-standard code 6, is never reached
      keepaliveLimit: config.keepaliveLimitS,
      // aedes' own "CONNECT did not arrive" timer, a backstop: ours (accept → authenticated, see
      // accept.ts) covers more, and fires first so that it is the one counted and logged
      connectTimeout: config.connectTimeoutMs + 1000,
      maxClientsIdLength: MAX_CLIENT_ID_LENGTH,
      concurrency: 100,
      heartbeatInterval: 60_000,
      // our topics have at most 6 levels; deep topics only cost matching time
      maxTopicLevels: 16,
      // devices use QoS 0/1 [FWP-3.5]: a few QoS 2 in flight is plenty
      maxInflightInbound: 64,
      // retained messages found by walking a trie, not by testing every one: a storm no longer costs N²
      persistence: persistenceWithRetainedTrie(),
      preConnect: preConnectHook(this.core),
      authenticate: authenticateHook(this.core),
      authorizePublish: authorizePublishHook(this.core),
      authorizeSubscribe: authorizeSubscribeHook(this.core),
      authorizeForward: authorizeForwardHook(this.core),
    });
    this.core.aedes = aedes;
    wireEvents(aedes, this.core, (deviceId) => this.noteTakeover(deviceId));
    try {
      this.listeners = await openListeners(
        config,
        {
          onSocket: (socket, transport, release) => this.accept(socket, transport, release),
          admitHandshake: (address) => this.core.pending.admit(address),
          onHandshakeRefused: (address, why) => refusedPending(this.core, address, 'tls', why),
          tlsCredentials: this.core.ctx.tlsCredentials,
        },
        log,
        this.core.limitedLog,
      );
    } catch (err) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw err;
    }
    this.logSweep = setInterval(() => this.core.limitedLog.sweep(), LOG_WINDOW_MS);
    this.logSweep.unref();
    const { port, tlsPort } = this.listeners;
    log.info(
      {
        ...(port === undefined ? {} : { host: config.host, port }),
        tlsPort,
        maxPacketBytes: config.maxPacketBytes,
        integrations: config.integrations.length,
      },
      'MQTT broker listening',
    );
    return { ...(port === undefined ? {} : { port }), ...(tlsPort === undefined ? {} : { tlsPort }) };
  }

  /** A renewed server certificate, served to every handshake from now on (open connections keep theirs). */
  setTlsCredentials(c: TlsCredentials): void {
    if (this.listeners && this.state === 'running') replaceCertificate(this.listeners, c);
  }

  private accept(socket: Socket, transport: Transport, handshakePlace?: () => void): void {
    const aedes = this.core.aedes;
    if (!aedes || aedes.closed || this.state === 'stopping' || this.state === 'stopped') {
      handshakePlace?.();
      socket.destroy();
      return;
    }
    acceptConnection(this.core, aedes, socket, transport, handshakePlace);
  }

  /** [MQTT-3.1.4-2] the newest connection wins; repeated takeovers mean two boxes share one identity. */
  private noteTakeover(deviceId: string): void {
    const { counters, takeovers, ctx } = this.core;
    counters.takeovers += 1;
    const recent = takeovers.hit(deviceId, ctx.clock.monotonic());
    // two boxes sharing an identity knock each other off all day: one budget of lines for both messages
    const key = `takeover:${deviceId}`;
    if (recent > TAKEOVER_WARN_ABOVE) {
      this.core.limitedLog.warn(
        key,
        { deviceId, takeoversLastMinute: recent },
        'two devices may share credentials: the same device id keeps replacing its own connection',
      );
    } else {
      this.core.limitedLog.info(key, { deviceId }, 'device reconnected; its older connection was closed');
    }
  }

  private async close(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    if (this.state === 'new' || this.state === 'stopped') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    if (this.logSweep) clearInterval(this.logSweep);
    const { conns } = this.core;
    for (const c of conns.all()) c.reason ??= 'broker_stopping';
    const listenersClosed = this.listeners ? closeListeners(this.listeners) : Promise.resolve();
    const aedes = this.core.aedes;
    if (aedes) await withTimeout(new Promise<void>((resolve) => aedes.close(() => resolve())), STOP_TIMEOUT_MS);
    for (const c of conns.all()) {
      c.stream.terminate();
      conns.closed(c);
    }
    await withTimeout(listenersClosed, STOP_TIMEOUT_MS);
    this.core.limitedLog.flush();
    this.state = 'stopped';
    this.core.ctx.log.info('MQTT broker stopped');
  }
}
