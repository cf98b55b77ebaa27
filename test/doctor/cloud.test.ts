import { describe, expect, it } from 'vitest';
import { cloudCheck } from '../../gateway/doctor/cloud-check.ts';
import type { ConnectResult } from '../../gateway/doctor/context.ts';
import { fakeContext } from './fake-box.ts';

const KEY = 'A'.repeat(43);
const cloud = (url: string) => ({ cloud: { enabled: true, url, signingKeys: [{ kid: 'k1', publicKey: KEY }] } });

describe('doctor: cloud reachability', () => {
  it('nothing to say when cloud sync is off', async () => {
    expect(await cloudCheck.run(fakeContext({}))).toEqual([]);
  });

  it('ok: the broker reached over TLS (its certificate verified), the running link up', async () => {
    const ctx = fakeContext(
      { connect: (): ConnectResult => ({ ok: true, ms: 42 }) },
      cloud('mqtts://cloud.example.cn:8883'),
      { gateway: 'another-process', runtime: { cloud: { enabled: true, connected: true, backlogEvents: 3 } } },
    );
    const found = await cloudCheck.run(ctx);
    expect(found.map((f) => [f.id, f.status])).toEqual([
      ['cloud.reach', 'ok'],
      ['cloud.link', 'ok'],
    ]);
    expect(found[0]?.message).toContain('certificate verified');
    expect((ctx.io as unknown as { connected: string[] }).connected).toEqual(['tls://cloud.example.cn:8883']);
  });

  it('fail: refused or timed out (a line to test the route), or a certificate not trusted (cloud.caFile)', async () => {
    const [refused] = await cloudCheck.run(fakeContext({}, cloud('mqtt://10.0.0.9:1883')));
    expect(refused).toMatchObject({ status: 'fail', fix: 'check the line and the address: nc -vz 10.0.0.9 1883' });
    const [cert] = await cloudCheck.run(
      fakeContext(
        { connect: () => ({ ok: false, error: 'SELF_SIGNED_CERT_IN_CHAIN' }) },
        cloud('mqtts://c.example.cn'),
      ),
    );
    expect(cert).toMatchObject({ status: 'fail', fix: expect.stringContaining('cloud.caFile') });
  });

  it('warn: the broker reachable but the running gateway’s link down, with its backlog', async () => {
    const found = await cloudCheck.run(
      fakeContext({ connect: () => ({ ok: true, ms: 5 }) }, cloud('mqtt://c.example.cn:1883'), {
        runtime: { cloud: { enabled: true, connected: false, backlogEvents: 120 } },
      }),
    );
    expect(found[1]).toMatchObject({
      id: 'cloud.link',
      status: 'warn',
      message: expect.stringContaining('120 events'),
    });
  });
});
