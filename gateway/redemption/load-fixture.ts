import type { Db } from '../store/db-type.ts';
import type { GatewaySecrets } from '../security/gateway-secrets.ts';
import { cardIdentifier, type Fixture } from './fixture.ts';
import type { CatalogRepo } from './store/catalog-repo.ts';

/** Where opening balances go: the ledger, so balances always equal what the ledger sums to. */
export interface OpeningBalances {
  /** Sets a member's stored value and points to the fixture's figures by posting the difference. */
  setOpening(memberId: string, walletFen: number, points: number, txnId: string, now: number): void;
  /** Sets the uses left of a card or coupon, so a use is a ledger movement like money. */
  setUses(instanceId: string, usesLeft: number, txnId: string, now: number): void;
}

interface LoadSummary {
  merchants: number;
  campaigns: number;
  members: number;
  cards: number;
  benefits: number;
  familyLinks: number;
  blocked: number;
}

/**
 * Loads a validated fixture in one transaction: all of it or nothing. Card identifiers become keyed
 * hashes here and are never stored in clear. Loading a file again restores the state it describes.
 */
export function loadFixture(
  db: Db,
  catalog: CatalogRepo,
  secrets: GatewaySecrets,
  balances: OpeningBalances,
  f: Fixture,
  now: number,
): LoadSummary {
  const summary: LoadSummary = {
    merchants: 0,
    campaigns: 0,
    members: 0,
    cards: 0,
    benefits: 0,
    familyLinks: 0,
    blocked: 0,
  };
  db.transaction(() => {
    for (const m of f.merchants) {
      catalog.upsertMerchant(m.id, m.name);
      summary.merchants += 1;
    }
    for (const c of f.campaigns) {
      catalog.upsertCampaign(c, now);
      summary.campaigns += 1;
    }
    for (const m of f.members) {
      const { walletFen, points, cards, benefits, ...member } = m;
      catalog.upsertMember(member, now);
      balances.setOpening(m.id, walletFen, points, `load-${m.id}`, now);
      for (const card of cards) {
        const { type, id } = cardIdentifier(card);
        catalog.addCredential(secrets.lookupKey(type, id), m.id, type, now);
        summary.cards += 1;
      }
      for (const b of benefits) {
        const campaign = f.campaigns.find((c) => c.id === b.campaignId);
        const usesLeft =
          b.usesLeft ??
          (campaign?.usage.type === 'single_use'
            ? 1
            : campaign?.usage.type === 'punch_card'
              ? campaign.usage.uses
              : undefined);
        catalog.upsertInstance({
          id: b.id,
          campaignId: b.campaignId,
          memberId: m.id,
          issuedAt: now,
          ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}),
          ...(usesLeft !== undefined ? { usesLeft } : {}),
          status: usesLeft === 0 ? 'used' : 'active',
        });
        if (usesLeft !== undefined) balances.setUses(b.id, usesLeft, `load-${b.id}`, now);
        if (b.couponCode) catalog.setCouponCode(secrets.codeHash('coupon', b.couponCode), b.id, now);
        summary.benefits += 1;
      }
      summary.members += 1;
    }
    for (const p of f.family) {
      catalog.upsertProxy(p);
      summary.familyLinks += 1;
    }
    for (const card of f.hotlist) {
      const { type, id } = cardIdentifier(card);
      if (catalog.block(secrets.lookupKey(type, id))) summary.blocked += 1;
    }
  })();
  return summary;
}
