import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics, UPLINK_CHANNELS } from '../../firmware-protocol/src/topics.ts';
import { BrokerHarness, DEVICES, nextMessage, roundTrip, secretOf, suback } from './harness.ts';

/**
 * The device ACL through a real broker and real clients, for one device of each kind:
 * what a device may do on its own topics, and what it may not do anywhere else.
 */
describe.each(DEVICES)('device %s through the broker', (id) => {
  const other = DEVICES.find((d) => d !== id) ?? 'locker-01';
  let h: BrokerHarness;

  beforeEach(async () => {
    // generous limits: this file exercises the ACL, not lockout and rate limits
    h = await new BrokerHarness({
      lockout: { maxFailures: 1000, windowS: 300, lockS: 300 },
      connectsPerMinutePerAddress: 10_000,
    }).start();
  });
  afterEach(() => h.stop());

  it('publishes on its own up channels, delivered to the gateway', async () => {
    const inbox = await h.inbox(topics.allUplinks());
    const c = await h.connectDevice(id);
    for (const channel of UPLINK_CHANNELS)
      await c.publishAsync(topics.up(id, channel), `{"ch":"${channel}"}`, { qos: 1 });
    await c.publishAsync(`linli/v9/dev/${id}/up/birth`, '{}', { qos: 1 }); // other majors reach the gateway too
    const got = await inbox.next((m) => m.topic.startsWith('linli/v9/'));
    expect(got.topic).toBe(`linli/v9/dev/${id}/up/birth`);
    expect(inbox.messages.map((m) => m.topic)).toEqual([
      ...UPLINK_CHANNELS.map((ch) => topics.up(id, ch)),
      `linli/v9/dev/${id}/up/birth`,
    ]);
    expect(inbox.messages[0]?.payload.toString()).toBe('{"ch":"birth"}');
  });

  it('subscribes to its own downlink and the gateway state, and receives the gateway publishes', async () => {
    const c = await h.connectDevice(id);
    const granted = await c.subscribeAsync(
      [topics.deviceDownlinks(id), topics.gatewayState(), `linli/v1/dev/${id}/down/#`],
      { qos: 1 },
    );
    expect(granted.map((g) => g.qos)).toEqual([1, 1, 1]);
    const command = nextMessage(c, topics.down(id, 'command'));
    await h.broker.publish(topics.down(id, 'command'), '{"cmd":1}', { qos: 1, retain: false });
    expect((await command).toString()).toBe('{"cmd":1}');
    const state = nextMessage(c, topics.gatewayState());
    await h.broker.publish(topics.gatewayState(), '{"state":"online"}', { qos: 1, retain: true });
    expect((await state).toString()).toBe('{"state":"online"}');
  });

  it('never receives another device’s downlink', async () => {
    const c = await h.connectDevice(id);
    await c.subscribeAsync(topics.deviceDownlinks(id), { qos: 1 });
    const seen: string[] = [];
    c.on('message', (t) => seen.push(t));
    await h.broker.publish(topics.down(other, 'command'), 'x', { qos: 1, retain: false });
    await roundTrip(h, c, id);
    expect(seen).toEqual([`linli/v1/dev/${id}/down/probe`]);
  });

  it.each([
    ['another device’s up topic', (_self: string, o: string) => topics.up(o, 'birth')],
    ['its own down topic', (self: string) => topics.down(self, 'command')],
    ['its own state topic (the gateway’s)', (self: string) => topics.deviceState(self)],
    ['the gateway state', () => topics.gatewayState()],
    ['$SYS', () => '$SYS/broker/clients'],
  ])('publishing to %s is refused: not delivered, and the connection is closed', async (_what, topicOf) => {
    const topic = topicOf(id, other);
    const inbox = await h.inbox('#');
    const c = await h.connectDevice(id);
    c.publish(topic, 'forged', { qos: 1 });
    await h.closed(c);
    // a legitimate publish from another device arrives; the forged one never did
    const witness = await h.connectDevice(other);
    await witness.publishAsync(topics.up(other, 'heartbeat'), 'hb', { qos: 1 });
    await inbox.next((m) => m.topic === topics.up(other, 'heartbeat'));
    expect(inbox.messages.filter((m) => m.payload.toString() === 'forged')).toEqual([]);
    expect(h.broker.stats().refusedPublishes).toBe(1);
    expect(h.warnings()).toContain('publish refused; closing the connection');
  });

  it.each([
    [`linli/v1/dev/OTHER/down/+`],
    [`linli/v1/dev/OTHER/down/command`],
    ['linli/v1/dev/+/up/+'],
    ['linli/v1/dev/+/down/+'],
    ['linli/#'],
    ['#'],
    ['$SYS/#'],
    ['linli/v1/dev/SELF/up/+'],
  ])('subscribing to %s is refused with SUBACK 0x80; the connection stays', async (pattern) => {
    const filter = pattern.replace('OTHER', other).replace('SELF', id);
    const c = await h.connectDevice(id);
    expect(await suback(c, [filter, topics.deviceDownlinks(id)])).toEqual([128, 1]);
    expect(c.connected).toBe(true);
    expect(h.broker.stats().refusedSubscribes).toBe(1);
    await roundTrip(h, c, id);
  });

  it.each([
    ['a wrong secret', 4, () => ({ clientId: id, username: id, password: 'wrong' })],
    ['no credentials (anonymous)', 5, () => ({ clientId: id })],
    ['a username but no password', 5, () => ({ clientId: id, username: id })],
    [
      'a spoofed client id (≠ username) [FWP-1.3]',
      2,
      () => ({ clientId: other, username: id, password: secretOf(id) }),
    ],
    ['a persistent session', 2, () => ({ clientId: id, username: id, password: secretOf(id), clean: false })],
    [
      'a will on another topic',
      5,
      () => ({
        clientId: id,
        username: id,
        password: secretOf(id),
        will: { topic: topics.up(id, 'telemetry'), payload: Buffer.from('x'), qos: 1 as const, retain: false },
      }),
    ],
    ['an unknown device id', 5, () => ({ clientId: `${id}-x`, username: `${id}-x`, password: 'x' })],
  ])('connecting with %s is refused with return code %i', async (_what, code, opts) => {
    expect(await h.refusal(opts())).toBe(code);
    expect(h.presence).toEqual([]);
    expect(h.broker.stats().authFailures).toBe(1);
  });

  it(
    'an empty client id is refused with return code 2, ' + 'even with a clean session (aedes#1095) [MQTT-3.1.3-8]',
    async () => {
      // mqtt.js refuses to send an empty id with clean=false itself; the raw CONNECT test covers that case
      expect(await h.refusal({ clientId: '', username: id, password: secretOf(id) })).toBe(2);
    },
  );

  it('a disabled device is refused with return code 5', async () => {
    h.registry.disabled.add(id);
    expect(await h.refusal(h.deviceOptions(id))).toBe(5);
  });

  it('its last will reaches the gateway when the connection is lost', async () => {
    const inbox = await h.inbox(topics.allUplinks());
    const c = await h.connectDevice(id, {
      will: { topic: topics.up(id, 'death'), payload: Buffer.from('{"bdSeq":1}'), qos: 1, retain: true },
    });
    c.stream.destroy();
    const will = await inbox.next((m) => m.topic === topics.up(id, 'death'));
    expect(will.payload.toString()).toBe('{"bdSeq":1}');
  });
});
