import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorMessageSchema } from '../../firmware-protocol/src/messages/errors.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { BrokerHarness, nextMessage, roundTrip } from './harness.ts';
import { RawConnection, varint } from './raw-mqtt.ts';

const LIMIT = 1024;

describe('maxPacketBytes: the stream guard in front of aedes', () => {
  let h: BrokerHarness;
  beforeEach(async () => {
    h = await new BrokerHarness({ maxPacketBytes: LIMIT }).start();
  });
  afterEach(() => h.stop());

  it(
    'an oversized publish gets PAYLOAD_TOO_LARGE on the device’s down/error, then the connection is closed; ' +
      'others carry on',
    async () => {
      const inbox = await h.inbox(topics.allUplinks());
      const bystander = await h.connectDevice('vm-01');
      await bystander.subscribeAsync(topics.deviceDownlinks('vm-01'), { qos: 1 });
      const c = await h.connectDevice('locker-01');
      await c.subscribeAsync(topics.deviceDownlinks('locker-01'), { qos: 1 });
      const error = nextMessage(c, topics.down('locker-01', 'error'));
      c.publish(topics.up('locker-01', 'telemetry'), Buffer.alloc(5000, 0x61), { qos: 1 });
      const msg = ErrorMessageSchema.parse(JSON.parse((await error).toString()));
      expect(msg.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', topic: topics.up('locker-01', 'telemetry') });
      expect(msg.body.message).toContain(`limit of ${LIMIT} bytes`);
      expect(msg.id).toMatch(/^gw-test-/);
      await h.closed(c);
      expect(await h.presenceEvent((e) => e.type === 'disconnected')).toMatchObject({
        deviceId: 'locker-01',
        reason: 'kicked',
      });
      expect(inbox.messages).toEqual([]); // nothing of it reached the gateway
      expect(h.broker.stats().oversized).toBe(1);
      // the bystander is unaffected both ways
      await bystander.publishAsync(topics.up('vm-01', 'heartbeat'), '{}', { qos: 1 });
      await inbox.next((m) => m.topic === topics.up('vm-01', 'heartbeat'));
      await roundTrip(h, bystander, 'vm-01');
      // and the offender may reconnect and behave
      const again = await h.connectDevice('locker-01');
      await again.publishAsync(topics.up('locker-01', 'telemetry'), Buffer.alloc(500, 0x61), { qos: 1 });
      await inbox.next((m) => m.topic === topics.up('locker-01', 'telemetry'));
    },
  );

  it('a packet right at the limit passes', async () => {
    const inbox = await h.inbox(topics.allUplinks());
    const c = await h.connectDevice('door-01');
    const topic = topics.up('door-01', 'event');
    // fixed header 1 + 2 (remaining length < 16384), topic length 2 + topic, packet id 2 (QoS 1)
    const payload = Buffer.alloc(LIMIT - 3 - 2 - topic.length - 2, 0x61);
    await c.publishAsync(topic, payload, { qos: 1 });
    expect((await inbox.next()).payload.length).toBe(payload.length);
  });

  it('the report goes to the major the device spoke, when it was its own topic', async () => {
    const c = await h.connectDevice('scan-01');
    await c.subscribeAsync('linli/v2/dev/scan-01/down/+', { qos: 1 });
    const error = nextMessage(c, 'linli/v2/dev/scan-01/down/error');
    c.publish('linli/v2/dev/scan-01/up/request', Buffer.alloc(3000), { qos: 0 });
    expect(ErrorMessageSchema.parse(JSON.parse((await error).toString())).body.code).toBe('PAYLOAD_TOO_LARGE');
    await h.closed(c);
  });

  it('an oversized packet before authentication closes the connection without a CONNACK', async () => {
    const raw = await RawConnection.open(h.port);
    raw.write(Buffer.concat([Buffer.from([0x10]), varint(50_000), Buffer.alloc(4096)]));
    await raw.closed;
    expect(h.broker.stats()).toMatchObject({ oversized: 1, connections: 0 });
  });

  it('keeps reading and dropping an endless body without buffering it, until the connection is closed', async () => {
    const raw = await RawConnection.open(h.port);
    raw.write(Buffer.concat([Buffer.from([0x30]), varint(200 * 1024 * 1024)]));
    const chunk = Buffer.alloc(64 * 1024);
    let written = 0;
    let isClosed = false;
    void raw.closed.then(() => (isClosed = true));
    // the broker drains what it receives (no back-pressure build-up), then closes within its grace period
    while (!isClosed && raw.socket.writable && written < 8 * 1024 * 1024) {
      if (!raw.socket.write(chunk)) await Promise.race([new Promise((r) => raw.socket.once('drain', r)), raw.closed]);
      written += chunk.length;
    }
    await raw.closed;
    expect(written).toBeGreaterThan(0);
    expect(h.broker.stats().oversized).toBe(1);
  });

  it('a malformed remaining length closes the connection', async () => {
    const raw = await RawConnection.open(h.port);
    raw.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]));
    await raw.closed;
    expect(h.warnings()).toContain('malformed MQTT packet header; closing the connection');
  });
});
