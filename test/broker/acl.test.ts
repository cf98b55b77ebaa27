import { describe, expect, it } from 'vitest';
import { mayPublish, mayPublishWill, mayReceive, maySubscribe, type Principal } from '../../broker/src/acl.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';

const locker: Principal = { kind: 'device', deviceId: 'locker-01' };
const ha: Principal = {
  kind: 'integration',
  username: 'integration-ha',
  subscribe: ['linli/v1/dev/+/state', 'linli/v1/gw/#'],
};

describe('device publish [FWP-3.2]', () => {
  it.each([
    [topics.up('locker-01', 'birth'), true],
    [topics.up('locker-01', 'telemetry'), true],
    ['linli/v1/dev/locker-01/up/bogus', true], // unknown channel: the gateway answers UNKNOWN_CHANNEL
    ['linli/v9/dev/locker-01/up/birth', true], // unknown major: the gateway answers UNSUPPORTED_PROTOCOL_VERSION
    ['linli/v10/dev/locker-01/up/event', true],
    ['linli/v1/dev/locker-01/up/', false],
    ['linli/v1/dev/locker-01/up/a/b', false],
    ['linli/v1/dev/locker-01/up', false],
    ['linli/vX/dev/locker-01/up/birth', false],
    ['linli/1/dev/locker-01/up/birth', false],
    ['linli/v1/dev/locker-02/up/birth', false], // another device
    [topics.down('locker-01', 'command'), false], // its own downlink
    [topics.deviceState('locker-01'), false], // state is the gateway's
    [topics.gatewayState(), false],
    ['linli/v1/dev/+/up/birth', false],
    ['other/v1/dev/locker-01/up/birth', false],
    ['$SYS/broker/x', false],
    ['locker-01', false],
  ])('%s → %s', (topic, allowed) => {
    expect(mayPublish(locker, topic).allow).toBe(allowed);
  });

  it('a refusal says why', () => {
    const d = mayPublish(locker, 'linli/v1/dev/locker-02/up/birth');
    expect(d).toEqual({ allow: false, why: expect.stringContaining('locker-01/up/{channel}') });
  });
});

describe('device will [FWP-8.3]', () => {
  it.each([
    [topics.up('locker-01', 'death'), true],
    ['linli/v2/dev/locker-01/up/death', true],
    [topics.up('locker-01', 'telemetry'), false],
    [topics.up('locker-02', 'death'), false],
    ['linli/v1/dev/locker-01/down/death', false],
  ])('%s → %s', (topic, allowed) => {
    expect(mayPublishWill(locker, topic).allow).toBe(allowed);
  });
  it('integrations have no will', () => {
    expect(mayPublishWill(ha, topics.up('locker-01', 'death')).allow).toBe(false);
  });
});

describe('device subscribe [FWP-3.3]', () => {
  it.each([
    [topics.deviceDownlinks('locker-01'), true],
    [topics.down('locker-01', 'command'), true],
    ['linli/v1/dev/locker-01/down/#', true],
    ['linli/v9/dev/locker-01/down/+', true],
    [topics.gatewayState(), true],
    ['linli/v2/gw/state', true],
    ['linli/v1/dev/locker-02/down/+', false],
    ['linli/v1/dev/+/down/+', false],
    ['linli/v1/dev/+/up/+', false],
    // [FWP-2.4] the advised filter for refusals on any major
    ['linli/+/dev/locker-01/down/error', true],
    ['linli/+/dev/locker-01/down/+', true],
    ['linli/+/gw/state', true],
    ['linli/+/dev/locker-02/down/error', false],
    ['linli/+/dev/+/down/error', false],
    ['linli/+/dev/locker-01/up/+', false],
    ['linli/v1/dev/locker-01/#', false],
    ['linli/v1/dev/locker-01/up/+', false],
    ['linli/v1/dev/locker-01/state', false],
    ['linli/v1/dev/locker-01/down', false],
    ['linli/v1/dev/locker-01/down/+/x', false],
    ['linli/v1/gw/#', false],
    ['linli/v1/gw/+', false],
    ['linli/#', false],
    ['#', false],
    ['+/#', false],
    ['$SYS/#', false],
    ['linli/v1/dev/locker-01/down/#/x', false], // invalid filter
  ])('%s → %s', (filter, allowed) => {
    expect(maySubscribe(locker, filter).allow).toBe(allowed);
  });
});

describe('integration accounts: read-only, within their filters', () => {
  it('never publish', () => {
    expect(mayPublish(ha, topics.up('locker-01', 'birth')).allow).toBe(false);
    expect(mayPublish(ha, 'linli/v1/dev/locker-01/state').allow).toBe(false);
  });
  it.each([
    ['linli/v1/dev/+/state', true],
    ['linli/v1/dev/locker-01/state', true],
    ['linli/v1/gw/state', true],
    ['linli/v1/gw/#', true],
    ['linli/v1/dev/+/up/+', false],
    ['linli/v1/dev/#', false],
    ['linli/#', false],
    ['#', false],
    ['$SYS/#', false],
  ])('subscribe %s → %s', (filter, allowed) => {
    expect(maySubscribe(ha, filter).allow).toBe(allowed);
  });
  it('$ topics stay closed even when configured under a wildcard or literally', () => {
    const wide: Principal = { kind: 'integration', username: 'integration-x', subscribe: ['#', '$SYS/#'] };
    expect(maySubscribe(wide, 'linli/v1/dev/+/state').allow).toBe(true);
    expect(maySubscribe(wide, '$SYS/#').allow).toBe(false);
    expect(maySubscribe(wide, '$SYS/broker/clients').allow).toBe(false);
    expect(mayReceive(wide, '$SYS/broker/clients')).toBe(false);
  });
});

describe('forward check (defence in depth)', () => {
  it.each([
    [topics.down('locker-01', 'command'), true],
    ['linli/v7/dev/locker-01/down/error', true],
    [topics.gatewayState(), true],
    [topics.down('locker-02', 'command'), false],
    [topics.up('locker-01', 'birth'), false],
    [topics.deviceState('locker-01'), false],
  ])('device receives %s → %s', (topic, allowed) => {
    expect(mayReceive(locker, topic)).toBe(allowed);
  });
  it.each([
    ['linli/v1/dev/locker-01/state', true],
    ['linli/v1/gw/state', true],
    [topics.up('locker-01', 'birth'), false],
    [topics.down('locker-01', 'command'), false],
  ])('integration receives %s → %s', (topic, allowed) => {
    expect(mayReceive(ha, topic)).toBe(allowed);
  });
});
