import { describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { startGateway } from '../support/gateway-harness.ts';
import { linliInProcess } from './cli-support.ts';

describe('linli residents', () => {
  it('lists the demo community’s members and cards, and a plain card it prints is found at the desk', async () => {
    const list = await linliInProcess(['residents', '--limit', '3']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^m-0001 /m);
    expect(list.stdout).toContain('(3 of 300');
    const one = await linliInProcess(['residents', '--member', 'm-0003', '--json']);
    const [row] = JSON.parse(one.stdout) as { memberId: string; cards: { type: string; uid?: string }[] }[];
    expect(row?.memberId).toBe('m-0003');
    const uid = row?.cards.find((c) => c.type === 'uid')?.uid;
    expect(uid).toMatch(/^[0-9A-F]{8}$/);
    const h = await startGateway();
    try {
      loadInto(h.gw.store, h.dataDir, FixtureSchema.parse(demoFixture()));
      const found = await h.api('/api/v1/members/lookup', {
        method: 'POST',
        body: { credential: { type: 'uid', uid } },
      });
      expect(found.body).toMatchObject({ memberId: 'm-0003' });
    } finally {
      await h.stop();
    }
  });
});
