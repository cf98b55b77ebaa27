import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from '../support/gateway-harness.ts';
import { capturedLog } from '../support/log-capture.ts';
import { seedCommunity } from './community.ts';

describe('privacy on the staff API: admin only, logged, masked for viewers and shops', () => {
  let h: Harness;
  const { log, records } = capturedLog();
  const tokens: Record<'viewer' | 'operator' | 'shop', string> = { viewer: '', operator: '', shop: '' };
  beforeAll(async () => {
    h = await startGateway({}, { log });
    seedCommunity(h.gw.store.db);
    const result = {
      redemptionId: 'r-m-2-17',
      txnId: 't-r-m-2-17',
      status: 'approved',
      state: 'reversed',
      subtotalFen: 1666,
      savingFen: 0,
      payableFen: 1666,
      paidBy: 'own',
      pointsCost: 0,
      pointsEarned: 0,
      applied: [],
      notApplied: [],
    };
    h.gw.store.db
      .prepare(
        "UPDATE redemptions SET state = 'reversed', reversed_by = 'desk', reversal_note = ?, result = ? WHERE id = ?",
      )
      .run('退给张三 13812341234', JSON.stringify(result), 'r-m-2-17');
    tokens.viewer = (await h.gw.tokens.create('viewer', 'lobby screen')).token;
    tokens.operator = (await h.gw.tokens.create('operator', 'desk')).token;
    tokens.shop = (await h.gw.tokens.create('viewer', 'cafe till', 'cafe-01')).token;
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('export and erase need an admin token; others get 403, none 401', async () => {
    for (const role of ['viewer', 'operator', 'shop'] as const) {
      expect((await h.api('/api/v1/members/m-1/export', { token: tokens[role] })).status).toBe(403);
      const erase = await h.api('/api/v1/members/m-2/erase', {
        method: 'POST',
        token: tokens[role],
        body: { confirm: 'm-2' },
      });
      expect(erase.status).toBe(403);
    }
    expect((await h.api('/api/v1/members/m-1/export', { token: null })).status).toBe(401);
    const ok = await h.api('/api/v1/members/m-1/export');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ memberId: 'm-1', cards: [{ type: 'uid', status: 'active' }] });
    expect(JSON.stringify(ok.body)).not.toContain('lk-secret-1');
    expect((await h.api('/api/v1/members/m-9/export')).body.error.code).toBe('MEMBER_NOT_FOUND');
  });

  it('erase: confirmation required, refusal with stored value (409), then done and logged by pseudonym', async () => {
    const unconfirmed = await h.api('/api/v1/members/m-2/erase', { method: 'POST', body: { confirm: 'm-1' } });
    expect(unconfirmed.status).toBe(400);
    const refused = await h.api('/api/v1/members/m-1/erase', { method: 'POST', body: { confirm: 'm-1' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/refund it first/);

    const erased = await h.api('/api/v1/members/m-2/erase', { method: 'POST', body: { confirm: 'm-2' } });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ pseudonym: expect.stringMatching(/^pseudo:/), removed: { member: 1 } });
    expect((await h.api('/api/v1/members/m-2/export')).status).toBe(404);

    const erasure = records.find((l) => l.msg === 'member erased on request');
    expect(erasure).toMatchObject({ member: erased.body.pseudonym, by: expect.stringMatching(/^test \(tok_/) });
    expect(JSON.stringify(erasure)).not.toContain('m-2');
    const exportLine = records.find((l) => l.msg === 'member data exported');
    expect(exportLine).toMatchObject({ member: 'm-1', by: expect.stringMatching(/^test \(tok_/) });
  });

  it('visitor labels and reversal notes: whole for operators, masked for a viewer and a shop', async () => {
    const codes = (token: string) => h.api('/api/v1/access/visitor-codes', { token });
    expect((await codes(tokens.operator)).body.items[0].label).toBe('张三 13812341234');
    expect((await codes(tokens.viewer)).body.items[0].label).toBe('张* 138****1234');

    const reversed = (token: string) => h.api('/api/v1/redemptions/r-m-2-17', { token });
    const asOperator = await reversed(tokens.operator);
    expect(asOperator.status).toBe(200);
    expect(asOperator.body.reversal.note).toBe('退给张三 13812341234');
    for (const token of [tokens.viewer, tokens.shop]) {
      const masked = await reversed(token);
      expect(masked.status).toBe(200);
      expect(masked.body.reversal.note).toBe('退* 138****1234');
      expect(JSON.stringify(masked.body)).not.toContain('13812341234');
    }
  });
});
