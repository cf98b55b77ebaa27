import type { IClientOptions, MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { connectRaw } from '../support/gateway-harness.ts';

/** Every wait for the network is bounded by this; on loopback the usual wait is a few milliseconds. */
const WAIT_MS = 5000;

export interface DeviceIdentity {
  id: string;
  secret: string;
}

/** A running gateway-side broker reachable over one transport, and its gateway side. */
export interface DeviceTransportSubject {
  /** Two provisioned devices, with their secrets. */
  devices: readonly [DeviceIdentity, DeviceIdentity];
  /** Where a device connects (loopback, ephemeral port). */
  url: string;
  /** What a device needs beyond its identity on this transport (the CA of a TLS listener). */
  clientOptions: IClientOptions;
  /** An in-process subscription on the gateway side (no ACL, no network), as the gateway's own router has. */
  gatewaySubscribe(filter: string, handler: (topic: string, payload: Buffer) => void): Promise<void>;
  /** Publishes as the gateway (QoS 1, not retained). */
  gatewayPublish(topic: string, payload: string): Promise<void>;
  /** Whether the broker holds a session for the device. */
  isConnected(deviceId: string): boolean;
  stop(): Promise<void>;
}

interface Message {
  topic: string;
  payload: string;
}

/** Messages seen by one side, with a bounded wait for the next match. */
class Seen {
  readonly messages: Message[] = [];
  private waiters: (() => void)[] = [];
  add = (topic: string, payload: Buffer) => {
    this.messages.push({ topic, payload: payload.toString() });
    for (const w of this.waiters.splice(0)) w();
  };
  async until(pred: (all: Message[]) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!pred(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }
  payloads(topic?: string): string[] {
    return this.messages.filter((m) => topic === undefined || m.topic === topic).map((m) => m.payload);
  }
}

/** Resolves when the client's connection has closed, bounded. */
function closed(c: MqttClient): Promise<void> {
  if (c.disconnected || !c.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out waiting for the connection to close')), WAIT_MS);
    c.once('close', () => (clearTimeout(t), resolve()));
  });
}

/** Polls broker state that has no event to await, bounded. */
async function eventually(pred: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The contract of the device transport: the embedded broker as an MQTT 3.1.1 device sees it
 * [FWP-3.2], [FWP-3.3], [FWP-8.3], and as the gateway sees what devices send.
 */
export function describeDeviceTransportContract(name: string, factory: () => Promise<DeviceTransportSubject>): void {
  describe(`device transport contract: ${name}`, () => {
    let s: DeviceTransportSubject;
    let a: DeviceIdentity;
    let b: DeviceIdentity;
    const clients: MqttClient[] = [];
    /** Connects as a device: resolves on CONNACK 0, rejects with `err.code` the CONNACK return code. */
    const connect = async (d: DeviceIdentity, over: IClientOptions = {}) => {
      const c = await connectRaw(s.url, {
        clientId: d.id,
        username: d.id,
        password: d.secret,
        ...s.clientOptions,
        ...over,
      });
      clients.push(c);
      c.on('error', () => undefined); // a refused publish closes the connection: the tests look at 'close'
      return c;
    };
    const refusal = async (d: DeviceIdentity): Promise<number> => {
      try {
        await connect(d);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number') return code;
        throw err;
      }
      throw new Error('the connection was accepted');
    };
    const received = async (c: MqttClient, filter: string) => {
      const seen = new Seen();
      c.on('message', seen.add);
      await c.subscribeAsync(filter, { qos: 1 });
      return seen;
    };
    const gatewaySide = async (filter: string) => {
      const seen = new Seen();
      await s.gatewaySubscribe(filter, seen.add);
      return seen;
    };

    beforeEach(async () => {
      s = await factory();
      [a, b] = s.devices;
    });
    afterEach(async () => {
      for (const c of clients.splice(0)) c.end(true);
      await s.stop();
    });

    it('a device with its valid secret is accepted with CONNACK 0 and holds a session', async () => {
      const c = await connect(a);
      expect(c.connected).toBe(true);
      await eventually(() => s.isConnected(a.id), 'the session');
      expect(s.isConnected(b.id)).toBe(false);
    });

    it(
      'a wrong secret is refused with CONNACK 4 (bad user name or password) ' +
        'or 5 (not authorized), and no session opens',
      async () => {
        expect([4, 5]).toContain(await refusal({ id: a.id, secret: `${a.secret}x` }));
        expect([4, 5]).toContain(await refusal({ id: a.id, secret: b.secret }));
        expect(s.isConnected(a.id)).toBe(false);
      },
    );

    it('an unknown device is refused with CONNACK 5 (not authorized)', async () => {
      expect(await refusal({ id: 'door-99', secret: a.secret })).toBe(5);
    });

    it(
      'its QoS 1 publishes on its own uplink reach the gateway side, ' + 'all of them, in the order sent, intact',
      async () => {
        const gw = await gatewaySide(topics.allUplinks());
        const c = await connect(a);
        const sent = Array.from({ length: 30 }, (_, i) => JSON.stringify({ n: i, text: `邻里 ${i}` }));
        await Promise.all(sent.map((p, i) => c.publishAsync(topics.up(a.id, i % 2 ? 'event' : 'ack'), p, { qos: 1 })));
        await gw.until((m) => m.length >= sent.length, 'every uplink');
        expect(gw.messages).toEqual(
          sent.map((p, i) => ({ topic: topics.up(a.id, i % 2 ? 'event' : 'ack'), payload: p })),
        );
      },
    );

    it.each([
      ['another device’s uplink', (other: string) => topics.up(other, 'event')],
      ['another device’s downlink', (other: string) => topics.down(other, 'command')],
    ])('a publish to %s is delivered to no one, and its connection is closed', async (_what, topicOf) => {
      const gw = await gatewaySide('#');
      const victim = await connect(b);
      const victimGot = await received(victim, topics.deviceDownlinks(b.id));
      const forger = await connect(a);
      forger.publish(topicOf(b.id), 'forged', { qos: 1 });
      await closed(forger);
      // both directions still work for the other device, and the forged message was never among them
      await s.gatewayPublish(topics.down(b.id, 'command'), 'probe');
      await victimGot.until((m) => m.some((x) => x.payload === 'probe'), 'the probe');
      await victim.publishAsync(topics.up(b.id, 'event'), 'witness', { qos: 1 });
      await gw.until((m) => m.some((x) => x.payload === 'witness'), 'the witness');
      expect(gw.payloads().filter((p) => p === 'forged')).toEqual([]);
      expect(victimGot.payloads()).not.toContain('forged');
      expect(s.isConnected(a.id)).toBe(false);
    });

    it('it receives what the gateway sends on its downlink, QoS 1, in order', async () => {
      const c = await connect(a);
      const got = await received(c, topics.deviceDownlinks(a.id));
      const sent = Array.from({ length: 20 }, (_, i) => `{"command":${i}}`);
      for (const p of sent) await s.gatewayPublish(topics.down(a.id, 'command'), p);
      await got.until((m) => m.filter((x) => x.topic === topics.down(a.id, 'command')).length >= 20, 'every command');
      expect(got.payloads(topics.down(a.id, 'command'))).toEqual(sent);
    });

    it('it never receives what the gateway sends to another device, not even by subscribing to it', async () => {
      const c = await connect(a);
      const got = await received(c, topics.deviceDownlinks(a.id));
      const granted = await c.subscribeAsync(topics.deviceDownlinks(b.id), { qos: 1 }).then(
        (g) => g.map((x) => x.qos),
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
      );
      expect(granted).toEqual([128]); // SUBACK failure [MQTT-3.9.3]
      const owner = await connect(b);
      const ownerGot = await received(owner, topics.deviceDownlinks(b.id));
      await s.gatewayPublish(topics.down(b.id, 'command'), 'for-b');
      await ownerGot.until((m) => m.some((x) => x.payload === 'for-b'), 'the owner’s command');
      await s.gatewayPublish(topics.down(a.id, 'command'), 'for-a');
      await got.until((m) => m.some((x) => x.payload === 'for-a'), 'its own command');
      expect(got.payloads()).not.toContain('for-b');
    });

    it('its will reaches the gateway side when its connection dies without DISCONNECT [MQTT-3.1.2-8]', async () => {
      const gw = await gatewaySide(topics.allUplinks());
      const c = await connect(a, {
        will: { topic: topics.up(a.id, 'death'), payload: Buffer.from('{"bdSeq":7}'), qos: 1, retain: false },
      });
      c.stream.destroy();
      await gw.until((m) => m.some((x) => x.topic === topics.up(a.id, 'death')), 'the will');
      expect(gw.payloads(topics.up(a.id, 'death'))).toEqual(['{"bdSeq":7}']);
      await eventually(() => !s.isConnected(a.id), 'the session to end');
    });

    it('a clean DISCONNECT does not deliver its will [MQTT-3.14.4-3]', async () => {
      const gw = await gatewaySide(topics.allUplinks());
      const c = await connect(a, {
        will: { topic: topics.up(a.id, 'death'), payload: Buffer.from('{"bdSeq":7}'), qos: 1, retain: false },
      });
      await eventually(() => s.isConnected(a.id), 'the session');
      await c.endAsync();
      await eventually(() => !s.isConnected(a.id), 'the session to end');
      const witness = await connect(b);
      await witness.publishAsync(topics.up(b.id, 'event'), 'witness', { qos: 1 });
      await gw.until((m) => m.some((x) => x.payload === 'witness'), 'the witness');
      expect(gw.payloads(topics.up(a.id, 'death'))).toEqual([]);
    });
  });
}
