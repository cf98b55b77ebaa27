import { describe, expect, it } from 'vitest';
import { DECIDE_PIPELINE } from '../../gateway/redemption/service/decide-pipeline.ts';
import { RedemptionService } from '../../gateway/redemption/service/redemption-service.ts';
import { capturedLog } from '../support/log-capture.ts';
import { member } from './fixtures.ts';
import { serviceHarness, TEST_CONFIG } from './service-harness.ts';

describe('the redemption pipeline', () => {
  it('is a list of named steps, each visible in debug logs, and a retry stops at idempotency', async () => {
    expect(DECIDE_PIPELINE.map((s) => s.name)).toEqual([
      'idempotency',
      'admit-credential',
      'member',
      'select-benefits',
      'check-limits',
      'fund',
      'hold-or-charge',
      'post-ledger',
    ]);
    const h = serviceHarness();
    const { log, records: lines } = capturedLog<{ step?: string; msg: string }>('debug');
    const svc = new RedemptionService({
      writer: h.writer,
      ledger: h.ledger,
      catalog: h.catalog,
      usage: h.usage,
      redemptions: h.redemptions,
      clock: h.clock,
      log,
      config: TEST_CONFIG,
    });
    try {
      h.catalog.upsertMember(member({ id: 'm-1' }), 0);
      h.topUp('m-1', 1000);
      const req = {
        txnId: 'p-1',
        memberId: 'm-1',
        trust: 'high' as const,
        purchase: { merchantId: 'cafe-01', items: [], amountFen: 500, at: h.clock.now() },
      };
      await svc.redeem(req);
      expect(lines.filter((l) => l.step).map((l) => l.step)).toEqual(DECIDE_PIPELINE.map((s) => s.name));
      lines.length = 0;
      await svc.redeem(req);
      expect(lines.filter((l) => l.step).map((l) => l.step)).toEqual(['idempotency']);
      lines.length = 0;
      await svc.redeem({ ...req, txnId: 'p-2', purchase: { ...req.purchase, amountFen: 5000 } });
      expect(lines.filter((l) => l.step).map((l) => l.step)).toEqual([
        'idempotency',
        'admit-credential',
        'member',
        'select-benefits',
        'check-limits',
        'fund',
      ]);
    } finally {
      h.close();
    }
  });
});
