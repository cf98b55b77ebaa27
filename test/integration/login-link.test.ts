import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/core/clock.ts';
import { LOGIN_LINK_TTL_MS } from '../../gateway/security/staff-tokens.ts';
import { startGateway, type Harness } from '../support/gateway-harness.ts';

/** `linli token create --link`: a sign-in link for the console that works once, for minutes. */
describe('one-time sign-in links', () => {
  let h: Harness;
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 2, 0, 0));
  const redeem = (code: string) => h.api('/api/v1/session/link', { method: 'POST', token: null, body: { code } });

  beforeAll(async () => {
    h = await startGateway({}, { clock });
  });
  afterAll(async () => h?.stop());

  it('trades the code for a token of the link’s role and shop, once', async () => {
    const { code } = await h.gw.tokens.createLink('operator', 'front desk', 'cafe-01');
    const first = await redeem(code);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      role: 'operator',
      merchantId: 'cafe-01',
      token: expect.stringMatching(/^llt_/),
    });
    const session = await h.api('/api/v1/session', { token: first.body.token });
    expect(session.body).toMatchObject({ role: 'operator', label: 'front desk', merchantId: 'cafe-01' });
    const again = await redeem(code);
    expect(again.status).toBe(401);
    expect(again.body.error.message).toMatch(/unknown, used or expired/);
  });

  it('expires, and refuses codes it never made', async () => {
    const { code } = await h.gw.tokens.createLink('viewer', null, null);
    clock.advance(LOGIN_LINK_TTL_MS + 1);
    expect((await redeem(code)).status).toBe(401);
    expect((await redeem(`lln_${'A'.repeat(43)}`)).status).toBe(401);
    expect((await redeem('not-a-code')).status).toBe(401);
    await expect(h.gw.tokens.createLink('admin', null, 'cafe-01')).rejects.toThrow(/shop token cannot be admin/);
  });
});
