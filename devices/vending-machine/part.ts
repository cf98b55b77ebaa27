import type { KindPart, KindPartPorts } from '../kind-part.ts';
import { VendingFlow } from './vending-flow.ts';

/** The gateway side of vending machines, and what tests reach of it. */
export interface VendingMachinePart extends KindPart {
  readonly vending: VendingFlow;
}

/** [FWP-11.4] Each machine's vending session: hold, vend, capture or refund, every retry idempotent. */
export function vendingMachinePart(p: KindPartPorts): VendingMachinePart {
  const t = p.settings.flows.vending;
  const vending = new VendingFlow({
    service: p.service,
    resolver: p.resolver,
    ledger: p.ledger,
    catalog: p.catalog,
    redemptions: p.redemptions,
    clock: p.clock,
    log: p.log,
    lowTrustPerTxnFen: () => p.service.lowTrustLimits.perTxnFen,
    timeouts: {
      sessionMs: t.sessionS * 1000,
      approvalMs: t.approvalS * 1000,
      vendResultMs: t.vendResultS * 1000,
      completeMs: 5000,
    },
    onAnomaly: (deviceId, code) =>
      p.setFinding(deviceId, code, {
        severity: 'degraded',
        code,
        message: 'an item was dispensed after its hold had been voided (not charged)',
      }),
  });
  return { vending, requests: vending, tick: () => vending.tick() };
}
