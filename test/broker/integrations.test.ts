import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { hashSecret } from '../../gateway/security/secret-hash.ts';
import { BrokerHarness, nextMessage, suback } from './harness.ts';

const PASSWORD = 'integration-password-1';

/** Integration accounts (Home Assistant, Node-RED): real scrypt hashes from config, read-only, within their filters. */
describe('integration accounts', () => {
  let hash: string;
  let h: BrokerHarness;
  beforeAll(async () => {
    hash = await hashSecret(PASSWORD);
  });
  beforeEach(async () => {
    h = await new BrokerHarness({
      integrations: [
        { username: 'integration-ha', passwordHash: hash, subscribe: ['linli/v1/dev/+/state', 'linli/v1/gw/#'] },
        { username: 'integration-audit', passwordHash: hash, subscribe: ['linli/v1/dev/+/up/+'] },
      ],
    }).start();
  });
  afterEach(() => h.stop());

  const ha = (over: object = {}) =>
    h.connect({ clientId: 'integration-ha-1', username: 'integration-ha', password: PASSWORD, ...over });

  it('subscribes within its configured filters and receives, gets SUBACK 0x80 outside them', async () => {
    const c = await ha();
    const codes = await suback(c, [
      'linli/v1/dev/+/state',
      'linli/v1/dev/locker-01/state',
      'linli/v1/gw/state',
      'linli/#',
      'linli/v1/dev/+/up/+',
      '$SYS/#',
      '#',
    ]);
    expect(codes).toEqual([1, 1, 1, 128, 128, 128, 128]);
    const got = nextMessage(c, topics.deviceState('locker-01'));
    await h.broker.publish(topics.deviceState('locker-01'), '{"state":"online"}', { qos: 1, retain: true });
    expect((await got).toString()).toBe('{"state":"online"}');
    expect(h.presence).toEqual([]); // no presence for integrations
  });

  it('may never publish: the connection is closed', async () => {
    const c = await ha();
    c.publish(topics.deviceState('locker-01'), 'forged', { qos: 1 });
    await h.closed(c);
    expect(h.broker.stats().refusedPublishes).toBe(1);
  });

  it.each([
    ['a wrong password', { password: 'nope' }, 4],
    ['a client id of its own name with another suffix style', { clientId: 'integration-hax' }, 2],
    ['a client id that is a device id', { clientId: 'locker-01' }, 2],
    ['an unknown account', { username: 'integration-nope', clientId: 'integration-nope' }, 5],
  ])('is refused with %s (return code %i)', async (_what, over, code) => {
    expect(
      await h.refusal({ clientId: 'integration-ha-1', username: 'integration-ha', password: PASSWORD, ...over }),
    ).toBe(code);
  });

  it('a device never receives what an integration may read, and vice versa', async () => {
    const audit = await h.connect({ clientId: 'integration-audit', username: 'integration-audit', password: PASSWORD });
    expect(await suback(audit, ['linli/v1/dev/+/up/+'])).toEqual([1]);
    const device = await h.connectDevice('locker-01');
    const got = nextMessage(audit, topics.up('locker-01', 'event'));
    await device.publishAsync(topics.up('locker-01', 'event'), '{"e":1}', { qos: 1 });
    expect((await got).toString()).toBe('{"e":1}');
  });

  it(
    'retained publishes of devices are stripped: ' + 'never stored, while the gateway’s retained state is [FWP-3.5]',
    async () => {
      const device = await h.connectDevice('locker-01');
      await device.publishAsync(topics.up('locker-01', 'telemetry'), 'would-be-retained', { qos: 1, retain: true });
      await h.broker.publish(topics.deviceState('locker-01'), 'gateway-retained', { qos: 1, retain: true });
      const audit = await h.connect({
        clientId: 'integration-audit',
        username: 'integration-audit',
        password: PASSWORD,
      });
      const first = nextMessage(audit, topics.up('locker-01', 'telemetry'));
      await suback(audit, ['linli/v1/dev/+/up/+']);
      // control: a retained message is delivered to a new subscription at once
      const haClient = await ha();
      const control = nextMessage(haClient, topics.deviceState('locker-01'));
      await suback(haClient, ['linli/v1/dev/+/state']);
      expect((await control).toString()).toBe('gateway-retained');
      // the first message on the device's topic is the live one: the "retained" one was never stored
      await device.publishAsync(topics.up('locker-01', 'telemetry'), 'live', { qos: 1 });
      expect((await first).toString()).toBe('live');
    },
  );
});
