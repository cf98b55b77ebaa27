import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { startGateway, type Harness } from '../support/gateway-harness.ts';

const FIXTURE = FixtureSchema.parse({
  merchants: [
    { id: 'cafe-01', name: 'Café' },
    { id: 'fresh-01', name: 'Fresh' },
  ],
  members: [{ id: 'm-1', tier: 'regular', walletFen: 100000, cards: [{ type: 'uid', uid: '04A2B3C4' }] }],
});

describe("a shop's own token", () => {
  let h: Harness;
  let cafe: string;
  let fresh: string;
  const redeem = async (merchantId: string, txnId: string) =>
    (
      await h.gw.redemption.service.redeem({
        txnId,
        memberId: 'm-1',
        trust: 'high',
        purchase: {
          merchantId,
          deviceId: 'scanner-x',
          deviceKind: 'shop_scanner',
          items: [],
          amountFen: 1000,
          at: h.gw.clock.now(),
        },
      })
    ).redemptionId;

  beforeEach(async () => {
    h = await startGateway();
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
    cafe = await redeem('cafe-01', 't-cafe');
    fresh = await redeem('fresh-01', 't-fresh');
  });
  afterEach(() => h.stop());

  it('sees, reads and reverses only its own shop’s redemptions, and nothing else of the gateway', async () => {
    const made = await h.api('/api/v1/tokens', {
      method: 'POST',
      body: { role: 'operator', label: 'café till', merchantId: 'cafe-01' },
    });
    expect(made).toMatchObject({ status: 201, body: { role: 'operator', merchantId: 'cafe-01' } });
    const token = (made.body as { token: string }).token;
    const as = (path: string, init: { method?: string } = {}) => h.api(path, { ...init, token });
    const list = await as('/api/v1/redemptions');
    expect((list.body as { items: { id: string }[] }).items.map((r) => r.id)).toEqual([cafe]);
    expect((await as('/api/v1/redemptions?merchant=fresh-01')).status).toBe(403);
    expect((await as(`/api/v1/redemptions/${fresh}`)).status).toBe(404);
    expect((await as(`/api/v1/redemptions/${cafe}`)).status).toBe(200);
    expect((await as(`/api/v1/redemptions/${fresh}/reverse`, { method: 'POST' })).status).toBe(404);
    expect((await as(`/api/v1/redemptions/${cafe}/reverse`, { method: 'POST' })).body).toMatchObject({
      state: 'reversed',
    });
    for (const path of ['/api/v1/devices', '/api/v1/parcels', '/api/v1/access/log', '/api/v1/tokens'])
      expect((await as(path)).status).toBe(403);
    expect((await h.api(`/api/v1/redemptions/${fresh}`)).body).toMatchObject({ state: 'captured' });
  });

  it('is never admin', async () => {
    expect(
      (await h.api('/api/v1/tokens', { method: 'POST', body: { role: 'admin', merchantId: 'cafe-01' } })).status,
    ).toBe(400);
  });
});
