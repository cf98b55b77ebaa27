import type { Db } from '../store/db-type.ts';
import type { GatewaySecrets } from '../security/gateway-secrets.ts';
import type { Campaign } from './domain/model.ts';
import { cardIdentifier, type Card, type Fixture } from './fixture.ts';
import type { CatalogRepo } from './store/catalog-repo.ts';

/** Where opening balances go: the ledger, so balances always equal what the ledger sums to. */
export interface OpeningBalances {
  /** Sets a member's stored value and points to the fixture's figures by posting the difference. */
  setOpening(memberId: string, walletFen: number, points: number, txnId: string, now: number): void;
  /** Sets the uses left of a card or coupon, so a use is a ledger movement like money. */
  setUses(instanceId: string, usesLeft: number, txnId: string, now: number): void;
  /** Posts what `fn` sets as one append (each account set at most once inside). */
  batch<T>(fn: () => T): T;
}

export interface LoadSummary {
  merchants: number;
  campaigns: number;
  members: number;
  cards: number;
  benefits: number;
  familyLinks: number;
  blocked: number;
}

type FixtureMember = Fixture['members'][number];

/**
 * Writes a validated fixture's elements, one at a time, inside the caller's transaction: what
 * `loadFixture` does with a document in memory and the streamed load does with a big file. Card
 * identifiers become keyed hashes here and are never stored in clear.
 */
export class FixtureWriter {
  readonly summary: LoadSummary = {
    merchants: 0,
    campaigns: 0,
    members: 0,
    cards: 0,
    benefits: 0,
    familyLinks: 0,
    blocked: 0,
  };
  private readonly campaigns = new Map<string, Campaign>();

  constructor(
    private readonly catalog: CatalogRepo,
    private readonly secrets: GatewaySecrets,
    private readonly balances: OpeningBalances,
    private readonly now: number,
    /**
     * Lookup keys of the file's hotlisted cards, blocked as their member is written: a load committed in
     * parts (beside a running gateway) never commits one of them active, even for a moment.
     */
    private readonly blockAtOnce: ReadonlySet<string> = new Set(),
  ) {}

  merchant(m: Fixture['merchants'][number]): void {
    this.catalog.upsertMerchant(m.id, m.name);
    this.summary.merchants += 1;
  }

  campaign(c: Campaign): void {
    this.catalog.upsertCampaign(c, this.now);
    this.campaigns.set(c.id, c);
    this.summary.campaigns += 1;
  }

  /** After every campaign: a benefit's default uses come from its campaign. */
  member(m: FixtureMember): void {
    const { walletFen, points, cards, benefits, ...member } = m;
    const now = this.now;
    this.catalog.upsertMember(member, now);
    this.balances.batch(() => {
      this.balances.setOpening(m.id, walletFen, points, `load-${m.id}`, now);
      for (const card of cards) {
        const { type, id } = cardIdentifier(card);
        const key = this.secrets.lookupKey(type, id);
        this.catalog.addCredential(key, m.id, type, now);
        if (this.blockAtOnce.has(key)) this.catalog.block(key);
        this.summary.cards += 1;
      }
      for (const b of benefits) {
        const usage = this.campaigns.get(b.campaignId)?.usage;
        const usesLeft =
          b.usesLeft ?? (usage?.type === 'single_use' ? 1 : usage?.type === 'punch_card' ? usage.uses : undefined);
        this.catalog.upsertInstance({
          id: b.id,
          campaignId: b.campaignId,
          memberId: m.id,
          issuedAt: now,
          ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}),
          ...(usesLeft !== undefined ? { usesLeft } : {}),
          status: usesLeft === 0 ? 'used' : 'active',
        });
        if (usesLeft !== undefined) this.balances.setUses(b.id, usesLeft, `load-${b.id}`, now);
        if (b.couponCode) this.catalog.setCouponCode(this.secrets.codeHash('coupon', b.couponCode), b.id, now);
        this.summary.benefits += 1;
      }
    });
    this.summary.members += 1;
  }

  familyLink(p: Fixture['family'][number]): void {
    this.catalog.upsertProxy(p);
    this.summary.familyLinks += 1;
  }

  hotlisted(card: Card): void {
    if (this.catalog.block(cardLookupKey(this.secrets, card))) this.summary.blocked += 1;
  }
}

/** The keyed hash a card is stored under. */
export function cardLookupKey(secrets: GatewaySecrets, card: Card): string {
  const { type, id } = cardIdentifier(card);
  return secrets.lookupKey(type, id);
}

/**
 * Loads a validated fixture in one transaction: all of it or nothing. Loading a file again restores the
 * state it describes.
 */
export function loadFixture(
  db: Db,
  catalog: CatalogRepo,
  secrets: GatewaySecrets,
  balances: OpeningBalances,
  f: Fixture,
  now: number,
): LoadSummary {
  const w = new FixtureWriter(catalog, secrets, balances, now);
  db.transaction(() => {
    for (const m of f.merchants) w.merchant(m);
    for (const c of f.campaigns) w.campaign(c);
    for (const m of f.members) w.member(m);
    for (const p of f.family) w.familyLink(p);
    for (const card of f.hotlist) w.hotlisted(card);
  })();
  return w.summary;
}
