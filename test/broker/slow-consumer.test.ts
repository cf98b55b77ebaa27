import type { Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { hashSecret } from '../../gateway/security/secret-hash.ts';
import { BrokerHarness, nextMessage, secretOf, withTimeout } from './harness.ts';
import { connectPacket, publishPacket, RawConnection, subscribePacket } from './raw-mqtt.ts';

const PASSWORD = 'tap-password-1';
/** What may wait in one client's socket; the kernel's own buffers (about 4 MB on loopback here) come first. */
const LIMIT = 256 * 1024;
/** Every answer of the test's "gateway" is this big, so the stuck socket fills in a bounded number of rounds. */
const ANSWER = Buffer.alloc(32 * 1024, 0x61);
/** Bounds the test whatever the kernel buffers: 1,000 × 32 KiB is far beyond them. */
const MAX_ROUNDS = 1000;
/** aedes' drainTimeout set out of reach: a stuck client can only be dropped by the byte bound. */
const HOUR_MS = 3_600_000;

/** A raw client that connects, subscribes to `filter`, and then stops reading its socket. */
async function stuckClient(
  h: BrokerHarness,
  o: { clientId: string; username: string; password: string; filter: string },
): Promise<RawConnection> {
  const raw = await RawConnection.open(h.port);
  raw.write(connectPacket(o));
  expect(await raw.connack()).toBe(0);
  raw.write(subscribePacket(1, [o.filter]));
  expect([...(await raw.packet(9)).subarray(2)]).toEqual([1]);
  raw.socket.pause();
  return raw;
}

/**
 * Healthy round trips of vm-01 (request up, 32 KiB answer down, both through the broker) until the
 * broker has dropped a slow consumer; each round trip is bounded by the harness' wait, so a stall fails
 * the test. Returns how many round trips completed while the stuck client was still connected. (The
 * stuck client's own socket cannot tell: a socket that does not read never sees the close.)
 */
async function roundTripsUntilDropped(
  h: BrokerHarness,
  healthy: MqttClient,
  eachRound: () => void = () => undefined,
): Promise<number> {
  let rounds = 0;
  while (h.broker.stats().slowConsumers === 0 && rounds < MAX_ROUNDS) {
    eachRound();
    const answer = nextMessage(healthy, topics.down('vm-01', 'response'));
    await healthy.publishAsync(topics.up('vm-01', 'request'), `${rounds}`, { qos: 1 });
    expect((await answer).length).toBe(ANSWER.length);
    rounds += 1;
  }
  return rounds;
}

/** The stuck client reads again: what was queued for it, then the close. */
async function closedAfterReading(raw: RawConnection): Promise<void> {
  raw.socket.resume();
  await withTimeout(raw.closed, 'the slow consumer’s socket to close');
}

describe('slow consumers: a client that stops reading never delays anyone else', () => {
  let hash: string;
  let h: BrokerHarness;
  beforeAll(async () => {
    hash = await hashSecret(PASSWORD);
  });
  afterEach(() => h.stop());

  /**
   * The test's gateway answers every request with ANSWER on the device's down/response, without waiting for delivery.
   */
  const answerRequests = async () => {
    await h.broker.subscribe(topics.up('+', 'request'), (m) => {
      const deviceId = m.topic.split('/')[3] ?? '';
      h.broker.publish(topics.down(deviceId, 'response'), ANSWER, { qos: 1, retain: false }).catch(() => undefined);
    });
  };

  const healthyDevice = async () => {
    const c = await h.connectDevice('vm-01');
    // mqtt.js leaves Nagle on: a PUBACK and the next request would wait for a delayed ACK (~40 ms) each round
    (c.stream as Socket).setNoDelay(true);
    await c.subscribeAsync(topics.deviceDownlinks('vm-01'), { qos: 1 });
    return c;
  };

  it(
    'an integration subscribed to # that stops reading is ' +
      'dropped by the byte bound while a device’s round trips flow',
    async () => {
      h = await new BrokerHarness({
        drainTimeoutMs: HOUR_MS,
        maxQueuedBytesPerClient: LIMIT,
        integrations: [{ username: 'integration-tap', passwordHash: hash, subscribe: ['#'] }],
      }).start();
      await answerRequests();
      const tap = await stuckClient(h, {
        clientId: 'integration-tap',
        username: 'integration-tap',
        password: PASSWORD,
        filter: '#',
      });
      const healthy = await healthyDevice();

      const rounds = await roundTripsUntilDropped(h, healthy);
      await closedAfterReading(tap);
      // the kernel takes megabytes before anything waits in the socket: many answers went to the tap first
      expect(rounds).toBeGreaterThan(LIMIT / ANSWER.length);
      expect(h.broker.stats().slowConsumers).toBe(1);
      const warning = h.logs.find((l) => l.msg.startsWith('slow consumer'));
      expect(warning).toMatchObject({ level: 40, clientId: 'integration-tap', limit: LIMIT });
      expect(warning?.queuedBytes).toBeGreaterThan(LIMIT);
      expect(h.logs.filter((l) => l.msg.startsWith('slow consumer'))).toHaveLength(1);
      // and the device carries on
      const answer = nextMessage(healthy, topics.down('vm-01', 'response'));
      await healthy.publishAsync(topics.up('vm-01', 'request'), 'after', { qos: 1 });
      await answer;
    },
  );

  it(
    'a device that keeps sending requests but stops reading its answers is dropped (presence "slow_consumer"); ' +
      'others never wait',
    async () => {
      h = await new BrokerHarness({ drainTimeoutMs: HOUR_MS, maxQueuedBytesPerClient: LIMIT }).start();
      await answerRequests();
      const stuck = await stuckClient(h, {
        clientId: 'door-01',
        username: 'door-01',
        password: secretOf('door-01'),
        filter: topics.deviceDownlinks('door-01'),
      });
      const healthy = await healthyDevice();

      // QoS 0 requests: no PUBACK to write back, so the stuck device's own input is never held up
      const rounds = await roundTripsUntilDropped(h, healthy, () => {
        if (stuck.socket.writable) stuck.write(publishPacket(topics.up('door-01', 'request'), '{}'));
      });
      await closedAfterReading(stuck);
      expect(rounds).toBeGreaterThan(LIMIT / ANSWER.length);
      expect(await h.presenceEvent((e) => e.type === 'disconnected' && e.deviceId === 'door-01')).toMatchObject({
        reason: 'slow_consumer',
      });
      expect(h.broker.stats().slowConsumers).toBe(1);
      expect(h.broker.isConnected('vm-01')).toBe(true);
    },
  );
});
