import { EventEmitter } from 'node:events';
import { timingSafeEqual } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { LinliBroker } from '../../broker/src/index.ts';
import type { DeviceCredentialCheck, InboundMessage, PresenceEvent } from '../../broker/src/types.ts';
import { EnvelopeStamper } from '../../firmware-protocol/src/stamp.ts';
import { MqttConfigSchema, type MqttConfig } from '../../gateway/config/schema.ts';
import type * as z from 'zod';
import { ManualClock } from '../../gateway/core/clock.ts';
import { createLogger } from '../../gateway/core/log.ts';
import type { TurnBudget } from '../../gateway/core/turn-budget.ts';

/** The fixture devices: one of each kind [FWP-1.2]. */
export const DEVICES = ['locker-01', 'vm-01', 'door-01', 'scan-01'] as const;
export const secretOf = (id: string) => `secret-of-${id}`;

/** Every wait in these tests is bounded by this. */
export const WAIT_MS = 3000;

/** A fake registry: plain secrets compared in constant time; `disabled` ids exist but may not connect. */
export class FakeRegistry implements DeviceCredentialCheck {
  readonly secrets = new Map<string, string>(DEVICES.map((id) => [id, secretOf(id)]));
  readonly disabled = new Set<string>();
  calls = 0;
  async checkDevice(
    deviceId: string,
    secret: Buffer,
  ): Promise<'ok' | 'bad_credentials' | 'disabled' | 'unknown_device'> {
    this.calls += 1;
    const expected = this.secrets.get(deviceId);
    if (expected === undefined) return 'unknown_device';
    if (this.disabled.has(deviceId)) return 'disabled';
    const a = Buffer.from(expected);
    return a.length === secret.length && timingSafeEqual(a, secret) ? 'ok' : 'bad_credentials';
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** A real LinliBroker on an ephemeral loopback port, with a fake registry, a manual clock and captured logs. */
export class BrokerHarness {
  readonly clock = new ManualClock();
  readonly registry = new FakeRegistry();
  readonly presence: PresenceEvent[] = [];
  readonly logs: LogLine[] = [];
  readonly events = new EventEmitter();
  readonly config: MqttConfig;
  readonly broker: LinliBroker;
  readonly clients: MqttClient[] = [];
  private readonly closes = new WeakMap<MqttClient, Promise<void>>();
  port = 0;
  tlsPort: number | undefined;
  presenceThrows = false;

  constructor(overrides: Partial<z.input<typeof MqttConfigSchema>> = {}, turns?: TurnBudget) {
    // plain MQTT on loopback, opted into: most broker tests speak to the broker itself, not to TLS
    this.config = MqttConfigSchema.parse({
      host: '127.0.0.1',
      port: 0,
      plaintext: true,
      tls: { enabled: false },
      ...overrides,
    });
    const log = createLogger({
      level: 'debug',
      destination: {
        write: (line: string) => {
          this.logs.push(JSON.parse(line) as LogLine);
        },
      },
    });
    this.broker = new LinliBroker({
      config: this.config,
      log,
      clock: this.clock,
      credentials: this.registry,
      stamper: new EnvelopeStamper('gw-test', () => this.clock.now()),
      ...(turns ? { turns } : {}),
      onPresence: (e) => {
        this.presence.push(e);
        this.events.emit('presence', e);
        if (this.presenceThrows) throw new Error('listener bug');
      },
    });
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const ports = await this.broker.start();
    this.port = ports.port ?? 0;
    this.tlsPort = ports.tlsPort;
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.clients.splice(0)) c.end(true);
    await this.broker.stop();
  }

  /** Options of a well-behaved device. */
  deviceOptions(id: string, over: IClientOptions = {}): IClientOptions {
    return { clientId: id, username: id, password: secretOf(id), ...over };
  }

  /** Connects and resolves on CONNACK 0; rejects with the CONNACK return code (`err.code`) or a closed socket. */
  connect(opts: IClientOptions, url = this.url): Promise<MqttClient> {
    return new Promise((resolve, reject) => {
      const c = mqtt.connect(url, {
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: WAIT_MS,
        keepalive: 30,
        clean: true,
        ...opts,
      });
      this.clients.push(c);
      this.closes.set(c, new Promise((r) => c.once('close', () => r())));
      const timer = setTimeout(() => fail(new Error('connect timed out')), WAIT_MS);
      const fail = (err: Error) => {
        clearTimeout(timer);
        c.end(true);
        reject(err);
      };
      c.once('connect', () => {
        clearTimeout(timer);
        c.on('error', () => undefined); // refused publishes close the socket; tests look at 'close'
        resolve(c);
      });
      c.once('error', fail);
      c.once('close', () => fail(new Error('closed before CONNACK')));
    });
  }

  connectDevice(id: string, over: IClientOptions = {}): Promise<MqttClient> {
    return this.connect(this.deviceOptions(id, over));
  }

  /** The CONNACK return code of a refused connection attempt (fails the test if it was accepted). */
  async refusal(opts: IClientOptions): Promise<number> {
    try {
      await this.connect(opts);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number') return code;
      throw err;
    }
    throw new Error('the connection was accepted');
  }

  /** Resolves with the first presence event matching `pred`, already seen or still to come. */
  presenceEvent(pred: (e: PresenceEvent) => boolean): Promise<PresenceEvent> {
    const seen = this.presence.find(pred);
    if (seen) return Promise.resolve(seen);
    return withTimeout(
      new Promise((resolve) => {
        const on = (e: PresenceEvent) => {
          if (!pred(e)) return;
          this.events.off('presence', on);
          resolve(e);
        };
        this.events.on('presence', on);
      }),
      'presence event',
    );
  }

  /** An internal subscription collecting what it receives. */
  async inbox(filter: string): Promise<Inbox> {
    const inbox = new Inbox();
    await this.broker.subscribe(filter, (m) => inbox.add(m));
    return inbox;
  }

  /** Resolves when the client's connection has closed (at any time since it was created). */
  closed(c: MqttClient): Promise<void> {
    return withTimeout(this.closes.get(c) ?? Promise.reject(new Error('not a harness client')), 'connection close');
  }

  warnings(): string[] {
    return this.logs.filter((l) => l.level === 40).map((l) => l.msg);
  }
}

/** Messages of an internal subscription, with a bounded wait for the next one. */
export class Inbox extends EventEmitter {
  readonly messages: InboundMessage[] = [];
  add(m: InboundMessage): void {
    this.messages.push(m);
    this.emit('message', m);
  }
  next(pred: (m: InboundMessage) => boolean = () => true): Promise<InboundMessage> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return withTimeout(
      new Promise((resolve) => {
        const on = (m: InboundMessage) => {
          if (!pred(m)) return;
          this.off('message', on);
          resolve(m);
        };
        this.on('message', on);
      }),
      'internal delivery',
    );
  }
}

export function withTimeout<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The next message the client receives on `topic`. */
export function nextMessage(c: MqttClient, topic: string): Promise<Buffer> {
  return withTimeout(
    new Promise((resolve) => {
      const on = (t: string, payload: Buffer) => {
        if (t !== topic) return;
        c.off('message', on);
        resolve(payload);
      };
      c.on('message', on);
    }),
    `a message on ${topic}`,
  );
}

/** For state with no event to await (socket counts): polls `pred` each tick, bounded by WAIT_MS. */
export async function until(pred: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The SUBACK return codes for `filters` (mqtt.js 5 rejects a SUBACK containing 0x80, with the packet attached). */
export async function suback(c: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await c.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    const granted = (err as { packet?: { granted?: unknown } }).packet?.granted;
    if (Array.isArray(granted)) return granted.map(Number);
    throw err;
  }
}

/** Proof that nothing arrived: a round trip through the broker that must come back first (no sleeps). */
export async function roundTrip(h: BrokerHarness, probe: MqttClient, deviceId: string): Promise<void> {
  const topic = `linli/v1/dev/${deviceId}/down/probe`;
  const got = nextMessage(probe, topic);
  await h.broker.publish(topic, 'probe', { qos: 1, retain: false });
  await got;
}
