import { describe, expect, it } from 'vitest';
import { decodeUplink } from '../../firmware-protocol/src/decode.ts';
import {
  CommandBodySchema,
  COMMAND_NAMES,
  kindSupportsCommand,
} from '../../firmware-protocol/src/messages/commands.ts';
import { TelemetryBodySchema } from '../../firmware-protocol/src/messages/lifecycle.ts';
import { DeviceIdSchema } from '../../firmware-protocol/src/kinds/device-id.ts';
import { EnvelopeStamper } from '../../firmware-protocol/src/stamp.ts';
import { parseTopic, topics } from '../../firmware-protocol/src/topics.ts';
import { parseVersion } from '../../firmware-protocol/src/version.ts';

describe('topic map', () => {
  it('builds and parses device topics', () => {
    expect(topics.up('vm-01', 'birth')).toBe('linli/v1/dev/vm-01/up/birth');
    expect(topics.down('vm-01', 'error', 2)).toBe('linli/v2/dev/vm-01/down/error');
    expect(parseTopic(topics.up('vm-01', 'telemetry'))).toEqual({
      scope: 'device',
      major: 1,
      deviceId: 'vm-01',
      direction: 'up',
      channel: 'telemetry',
      rawChannel: 'telemetry',
    });
    expect(parseTopic(topics.deviceState('vm-01'))).toEqual({ scope: 'device-state', major: 1, deviceId: 'vm-01' });
    expect(parseTopic(topics.gatewayState())).toEqual({ scope: 'gateway-state', major: 1 });
  });

  const foreign = [
    'other/v1/dev/a/up/birth',
    'linli/x1/dev/a/up/birth',
    'linli/v1/dev/+/up/birth',
    'linli/v1/dev/a/sideways/birth',
    'linli/v1/dev/a/up',
    'linli/v1/dev/a/up/birth/extra',
    '',
  ];
  for (const t of foreign) it(`ignores "${t}"`, () => expect(parseTopic(t)).toBeUndefined());

  it('keeps an unknown channel visible as rawChannel', () => {
    expect(parseTopic('linli/v1/dev/a/up/gossip')).toMatchObject({ channel: undefined, rawChannel: 'gossip' });
  });
});

describe('decodeUplink', () => {
  const env = { v: '1.0', id: 'm-1', ts: 1, seq: 3 };
  const table: {
    name: string;
    channel: Parameters<typeof decodeUplink>[0];
    payload: string;
    code?: string;
    corr?: string;
  }[] = [
    {
      name: 'valid heartbeat',
      channel: 'heartbeat',
      payload: JSON.stringify({ ...env, type: 'heartbeat', body: { uptimeS: 1 } }),
    },
    { name: 'not JSON', channel: 'heartbeat', payload: '{', code: 'MALFORMED_JSON' },
    { name: 'JSON array', channel: 'heartbeat', payload: '[1]', code: 'MALFORMED_JSON' },
    {
      name: 'unsupported major in v',
      channel: 'heartbeat',
      payload: JSON.stringify({ ...env, v: '2.0', type: 'heartbeat', body: { uptimeS: 1 } }),
      code: 'UNSUPPORTED_PROTOCOL_VERSION',
      corr: 'm-1',
    },
    {
      name: 'wrong type on channel',
      channel: 'heartbeat',
      payload: JSON.stringify({ ...env, type: 'telemetry', body: {} }),
      code: 'UNKNOWN_MESSAGE_TYPE',
      corr: 'm-1',
    },
    {
      name: 'event without a known event',
      channel: 'event',
      payload: JSON.stringify({ ...env, type: 'event', body: {} }),
      code: 'SCHEMA_INVALID',
    },
    {
      name: 'valid compartment event',
      channel: 'event',
      payload: JSON.stringify({
        ...env,
        txn: 'pu-1',
        type: 'event',
        body: { event: 'compartment', compartment: 'A1', state: 'open' },
      }),
    },
    {
      name: 'request on the event channel',
      channel: 'event',
      payload: JSON.stringify({ ...env, type: 'request', body: {} }),
      code: 'UNKNOWN_MESSAGE_TYPE',
    },
    {
      name: 'vend request with neither session nor credential',
      channel: 'request',
      payload: JSON.stringify({
        ...env,
        txn: 'v',
        type: 'request',
        body: { op: 'vend_request', item: { slot: 'A1', productId: 'milk', priceFen: 450 } },
      }),
      code: 'SCHEMA_INVALID',
    },
    {
      name: 'pickup code of letters',
      channel: 'request',
      payload: JSON.stringify({ ...env, txn: 'p', type: 'request', body: { op: 'pickup_code', code: 'abcdef' } }),
      code: 'SCHEMA_INVALID',
    },
    {
      name: 'valid redeem request',
      channel: 'request',
      payload: JSON.stringify({
        ...env,
        txn: 't-1',
        type: 'request',
        body: { op: 'redeem', credential: { type: 'uid', uid: '04A2B3C4' }, amountFen: 100 },
      }),
    },
    {
      name: 'request without txn',
      channel: 'request',
      payload: JSON.stringify({ ...env, type: 'request', body: { op: 'capture' } }),
      code: 'SCHEMA_INVALID',
    },
    {
      name: 'request with an unknown op',
      channel: 'request',
      payload: JSON.stringify({ ...env, txn: 't', type: 'request', body: { op: 'steal' } }),
      code: 'SCHEMA_INVALID',
    },
    {
      name: 'redeem with negative amount',
      channel: 'request',
      payload: JSON.stringify({
        ...env,
        txn: 't',
        type: 'request',
        body: { op: 'redeem', credential: { type: 'uid', uid: '04A2B3C4' }, amountFen: -1 },
      }),
      code: 'SCHEMA_INVALID',
    },
    {
      name: 'schema invalid',
      channel: 'heartbeat',
      payload: JSON.stringify({ ...env, type: 'heartbeat', body: { uptimeS: -1 } }),
      code: 'SCHEMA_INVALID',
      corr: 'm-1',
    },
    {
      name: 'missing envelope field',
      channel: 'heartbeat',
      payload: JSON.stringify({ v: '1.0', id: 'm-1', ts: 1, type: 'heartbeat', body: { uptimeS: 1 } }),
      code: 'SCHEMA_INVALID',
    },
    {
      name: 'ack without corr',
      channel: 'ack',
      payload: JSON.stringify({ ...env, type: 'ack', body: { status: 'done' } }),
      code: 'SCHEMA_INVALID',
    },
    {
      name: 'valid ack',
      channel: 'ack',
      payload: JSON.stringify({ ...env, corr: 'g-1', type: 'ack', body: { status: 'rejected', reason: 'E_X' } }),
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const r = decodeUplink(row.channel, Buffer.from(row.payload));
      if (!row.code) return expect(r.ok).toBe(true);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.code).toBe(row.code);
      if (row.corr) expect(r.corr).toBe(row.corr);
    });
  }

  it('names the path of each schema problem', () => {
    const r = decodeUplink(
      'telemetry',
      JSON.stringify({ ...env, type: 'telemetry', body: { kind: 'vending_machine', temperatureC: 'hot', rssiDbm: 5 } }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues?.map((i) => i.path).sort()).toEqual(['body.rssiDbm', 'body.temperatureC']);
  });
});

describe('envelope stamper', () => {
  it('gives unique ids and a sequence per peer that wraps at 2^32-1 and can restart', () => {
    const s = new EnvelopeStamper('gw', () => 5);
    const a = s.stamp('a', 'command', {});
    const b = s.stamp('a', 'command', {});
    const c = s.stamp('b', 'command', {}, { corr: 'x' });
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect([a.seq, b.seq, c.seq]).toEqual([0, 1, 0]);
    expect(c.corr).toBe('x');
    expect(a.ts).toBe(5);
    s.resetSeq('a');
    expect(s.nextSeq('a')).toBe(0);
    const w = new EnvelopeStamper('w', () => 0);
    (w as unknown as { seqs: Map<string, number> }).seqs.set('p', 0xffff_ffff);
    expect([w.nextSeq('p'), w.nextSeq('p')]).toEqual([0xffff_ffff, 0]);
  });
});

describe('versions, ids, commands and telemetry', () => {
  it('parses versions', () => {
    expect(parseVersion('1.0')).toEqual({ major: 1, minor: 0 });
    expect(parseVersion('v1')).toBeUndefined();
  });

  it('device ids: lower-case, digits, inner dashes; integration- reserved', () => {
    for (const ok of ['vm-01', 'a', 'locker-b3-2']) expect(DeviceIdSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['', 'VM-01', '-vm', 'vm-', 'vm_01', 'a/b', '+', 'integration-ha', 'x'.repeat(49)])
      expect(DeviceIdSchema.safeParse(bad).success).toBe(false);
  });

  it('commands: kinds, defaults and closed args', () => {
    expect(COMMAND_NAMES).toContain('unlock_door');
    expect(kindSupportsCommand('door_reader', 'unlock_door')).toBe(true);
    expect(kindSupportsCommand('vending_machine', 'unlock_door')).toBe(false);
    expect(CommandBodySchema.parse({ name: 'unlock_door', args: { door: 'main' } })).toEqual({
      name: 'unlock_door',
      args: { door: 'main', pulseMs: 3000 },
      timeoutMs: 5000,
    });
    expect(CommandBodySchema.safeParse({ name: 'ping', args: { x: 1 } }).success).toBe(false);
    expect(CommandBodySchema.safeParse({ name: 'self_destruct', args: {} }).success).toBe(false);
  });

  it('telemetry is checked against the schema of its kind', () => {
    expect(TelemetryBodySchema.safeParse({ kind: 'door_reader', tamper: true }).success).toBe(true);
    expect(
      TelemetryBodySchema.safeParse({ kind: 'parcel_locker', compartments: [{ id: '1', door: 'ajar' }] }).success,
    ).toBe(false);
    expect(TelemetryBodySchema.safeParse({ kind: 'toaster' }).success).toBe(false);
  });
});
