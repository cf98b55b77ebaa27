import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import type { GatewayState } from '../../firmware-protocol/src/messages/state.ts';
import { topics, type DownlinkChannel } from '../../firmware-protocol/src/topics.ts';
import { PROTOCOL_VERSION } from '../../firmware-protocol/src/version.ts';
import { Gateway } from '../app.ts';
import { loadInto } from '../cli/redemption-commands.ts';
import { ConfigSchema } from '../config/schema.ts';
import { silentLogger } from '../core/log.ts';
import { FixtureSchema } from '../redemption/fixture.ts';
import { hashDeviceSecret } from '../security/secret-hash.ts';
import { Journal } from './journal.ts';
import { WireTap } from './wire-tap.ts';

/** The card of the kit's test member: tapping it makes any kind's device send a request the gateway knows. */
export const KIT_CARD_UID = '04A2B3C4';
export const KIT_MEMBER = 'conformance-member';

export interface KitGatewayOptions {
  id: string;
  kind: DeviceKind;
  /** Where the device connects. */
  host: string;
  port: number;
  /** The secret the device already has; without it the gateway's generated one is printed. */
  secret?: string;
}

/**
 * The kit standing in for a gateway: a real in-process Gateway (temp data folder, broker and staff API
 * on loopback) with the device provisioned and a test member loaded, behind a wire tap on the address
 * the device connects to. The constructor only assigns; start() acquires; stop() releases all of it.
 */
export class KitGateway {
  readonly journal = new Journal(() => performance.now());
  gw: Gateway | undefined;
  secret = '';
  /** The port the device connects to (the one asked for, or the free one picked for port 0). */
  port = 0;
  /** The response the device must not get, while the kit waits for it to resend its request. */
  withhold: ((topic: string, json: unknown) => boolean) | undefined;
  private tap: WireTap | undefined;
  private dataDir: string | undefined;
  /** Deaths the device published itself, as text: a death the broker publishes that is not one is a will. */
  private readonly ownDeaths: string[] = [];
  private readonly stamp = `kit-${randomBytes(3).toString('hex')}`;
  private counter = 0;
  private seq = 0;

  constructor(readonly opts: KitGatewayOptions) {}

  async start(): Promise<void> {
    const { id, kind } = this.opts;
    this.dataDir = mkdtempSync(join(tmpdir(), 'linli-conformance-'));
    const config = ConfigSchema.parse({
      dataDir: this.dataDir,
      // the kit's own tap is the device's broker: the gateway behind it speaks plain MQTT on loopback only
      mqtt: { host: '127.0.0.1', port: 0, plaintext: true, tls: { enabled: false } },
      http: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
    });
    const gw = new Gateway(config, silentLogger());
    this.gw = gw;
    const endpoints = await gw.start();
    const provisioned = await gw.devices.provision({ id, kind, name: `${id} (linli conformance)` });
    this.secret = provisioned.secret;
    const { store, writer } = gw;
    if (this.opts.secret !== undefined) {
      // the registry only generates secrets; the kit's throwaway database takes the device's own
      const hash = hashDeviceSecret(this.opts.secret);
      await writer.submit(() => store.devices.setSecret(id, hash, gw.clock.now()));
      this.secret = this.opts.secret;
    }
    const fixture = FixtureSchema.parse({
      members: [{ id: KIT_MEMBER, walletFen: 100_00, cards: [{ type: 'uid', uid: KIT_CARD_UID }] }],
    });
    const dataDir = this.dataDir;
    await writer.submit(() => loadInto(store, dataDir, fixture));
    // the broker publishes a lost connection's will like any message: told apart from the device's own deaths
    await gw.broker.subscribe(`linli/+/dev/${id}/up/death`, (m) => this.onDeath(m.payload));
    this.journal.listen((s) => {
      if (s.kind === 'up' && s.topic.endsWith('/up/death')) this.ownDeaths.push(JSON.stringify(s.json));
    });
    this.tap = new WireTap({
      host: this.opts.host,
      port: this.opts.port,
      upstreamPort: endpoints.mqttPort ?? 0,
      journal: this.journal,
      withhold: (topic, json) => this.withhold?.(topic, json) === true,
    });
    this.port = await this.tap.start();
  }

  async stop(): Promise<void> {
    this.journal.close('the kit stopped');
    await this.tap?.stop().catch(() => undefined);
    await this.gw?.stop().catch(() => undefined);
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
    this.dataDir = undefined;
  }

  /** A gateway → device message with a kit-stamped envelope; returns it as sent. */
  async send(channel: DownlinkChannel, type: string, body: unknown, extra: Record<string, unknown> = {}) {
    const msg = this.envelope(type, body, extra);
    await this.publish(channel, msg);
    return msg;
  }

  envelope(type: string, body: unknown, extra: Record<string, unknown> = {}) {
    this.counter += 1;
    return {
      v: PROTOCOL_VERSION,
      id: `${this.stamp}-${this.counter}`,
      ts: Date.now(),
      seq: this.seq++,
      type,
      body,
      ...extra,
    };
  }

  /** Publishes a message exactly as given (a duplicate, a later minor's) on the device's downlink. */
  publish(channel: DownlinkChannel, msg: unknown): Promise<void> {
    return this.gateway.broker.publish(topics.down(this.opts.id, channel), JSON.stringify(msg), {
      qos: 1,
      retain: false,
    });
  }

  /** The gateway forgets the device's session, as after a restart: its next message gets NOT_BORN. */
  forgetSession(): boolean {
    const live = this.gateway.monitor.get(this.opts.id);
    if (!live) return false;
    live.born = false;
    return true;
  }

  /** [FWP-10.1] What a restarted gateway publishes: online, with a new bootId. */
  announceRestart(): Promise<void> {
    const state: GatewayState = {
      state: 'online',
      ts: Date.now(),
      protocol: PROTOCOL_VERSION,
      bootId: randomBytes(6).toString('hex'),
    };
    return this.gateway.broker.publish(topics.gatewayState(), JSON.stringify(state), { qos: 1, retain: true });
  }

  /**
   * Waits (at most `maxMs`) until none of the device's QoS 1 messages is in flight: a connection cut
   * then loses nothing the device would resend on its next connection before its birth.
   */
  async settle(maxMs: number): Promise<void> {
    const until = this.journal.now() + maxMs;
    while (this.tap && !this.tap.quiet() && this.journal.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  /** Cuts the device's connection like a network failure. */
  drop(): boolean {
    return this.tap?.drop() ?? false;
  }

  private get gateway(): Gateway {
    if (!this.gw) throw new Error('the kit gateway is not running');
    return this.gw;
  }

  private onDeath(payload: Buffer): void {
    const text = payload.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const own = this.ownDeaths.indexOf(JSON.stringify(json));
    if (own >= 0) {
      this.ownDeaths.splice(own, 1);
      return;
    }
    const lastClosed = this.journal.all('closed').at(-1);
    this.journal.add({ kind: 'will', conn: lastClosed?.conn ?? 0, at: this.journal.now(), json });
  }
}
