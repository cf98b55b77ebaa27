import type { Db } from '../../store/db-type.ts';
import { CampaignSchema, MemberSchema, type BenefitInstance, type Campaign, type Member } from '../domain/model.ts';
import type { ProxyAllowance } from '../domain/funding.ts';

interface MemberRow {
  id: string;
  tier: string;
  birthday_month: number | null;
  last_active_date: string | null;
  family_group_id: string | null;
  segments: string;
}
interface InstanceRow {
  id: string;
  campaign_id: string;
  member_id: string;
  issued_at: number;
  expires_at: number | null;
  uses_left: number | null;
  status: BenefitInstance['status'];
}
export interface CredentialRecord {
  lookupKey: string;
  memberId: string;
  type: 'uid' | 'sun' | 'qr';
  status: 'active' | 'blocked';
  lastCounter: number | null;
}

const toMember = (r: MemberRow): Member =>
  MemberSchema.parse({
    id: r.id,
    tier: r.tier,
    ...(r.birthday_month !== null ? { birthdayMonth: r.birthday_month } : {}),
    ...(r.last_active_date !== null ? { lastActiveDate: r.last_active_date } : {}),
    ...(r.family_group_id !== null ? { familyGroupId: r.family_group_id } : {}),
    segments: JSON.parse(r.segments) as string[],
  });

const toInstance = (r: InstanceRow): BenefitInstance => ({
  id: r.id,
  campaignId: r.campaign_id,
  memberId: r.member_id,
  issuedAt: r.issued_at,
  ...(r.expires_at !== null ? { expiresAt: r.expires_at } : {}),
  ...(r.uses_left !== null ? { usesLeft: r.uses_left } : {}),
  status: r.status,
});

/** Campaign writes per database connection, shared by every CatalogRepo on it (their caches key on it). */
const campaignGeneration = new WeakMap<Db, number>();

/** Members, their hashed credentials, campaigns, issued benefits and family proxies. */
export class CatalogRepo {
  private readonly s;
  private campaignCache: Map<string, Campaign> | undefined;
  private campaignCacheGeneration = -1;
  private campaignCacheVersion = -1;

  constructor(private readonly db: Db) {
    this.s = {
      // prepared once: db.pragma() prepares its statement anew on each call, and this runs on every decision
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      upsertMember: db.prepare(
        `INSERT INTO members (id, tier, birthday_month, last_active_date, family_group_id, segments, updated_at,
           card_type)
         VALUES (@id, @tier, @birthdayMonth, @lastActiveDate, @familyGroupId, @segments, @now, @cardType)
         ON CONFLICT(id) DO UPDATE SET tier = excluded.tier, birthday_month = excluded.birthday_month,
           last_active_date = excluded.last_active_date, family_group_id = excluded.family_group_id,
           segments = excluded.segments, updated_at = excluded.updated_at, card_type = excluded.card_type`,
      ),
      member: db.prepare<[string], MemberRow>('SELECT * FROM members WHERE id = ?'),
      memberCount: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM members'),
      // a member's second purchase of the day changes nothing: no page written (SD-card wear)
      touchMember: db.prepare(
        'UPDATE members SET last_active_date = @date WHERE id = @id AND last_active_date IS NOT @date',
      ),
      upsertCredential: db.prepare(
        `INSERT INTO credentials (lookup_key, member_id, type, status, created_at) VALUES (?, ?, ?, 'active', ?)
         ON CONFLICT(lookup_key) DO UPDATE SET member_id = excluded.member_id`,
      ),
      credential: db.prepare<
        [string],
        {
          lookup_key: string;
          member_id: string;
          type: CredentialRecord['type'];
          status: CredentialRecord['status'];
          last_counter: number | null;
        }
      >('SELECT * FROM credentials WHERE lookup_key = ?'),
      block: db.prepare("UPDATE credentials SET status = 'blocked' WHERE lookup_key = ?"),
      setCounter: db.prepare(
        'UPDATE credentials SET last_counter = ? WHERE lookup_key = ? AND (last_counter IS NULL OR last_counter < ?)',
      ),
      upsertCampaign: db.prepare(
        'INSERT INTO campaigns (id, doc, updated_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at',
      ),
      campaigns: db.prepare<[], { id: string; doc: string }>('SELECT id, doc FROM campaigns'),
      upsertInstance: db.prepare(
        `INSERT INTO benefit_instances (id, campaign_id, member_id, issued_at, expires_at, uses_left, status)
         VALUES (@id, @campaignId, @memberId, @issuedAt, @expiresAt, @usesLeft, @status)
         ON CONFLICT(id) DO UPDATE SET expires_at = excluded.expires_at, uses_left = excluded.uses_left,
           status = excluded.status`,
      ),
      instances: db.prepare<[string], InstanceRow>('SELECT * FROM benefit_instances WHERE member_id = ? ORDER BY id'),
      instance: db.prepare<[string], InstanceRow>('SELECT * FROM benefit_instances WHERE id = ?'),
      addCouponCode: db.prepare(
        'INSERT OR REPLACE INTO coupon_codes (code_hash, instance_id, created_at) VALUES (?, ?, ?)',
      ),
      dropCouponCodes: db.prepare('DELETE FROM coupon_codes WHERE instance_id = ?'),
      couponCode: db.prepare<[string], { instance_id: string }>(
        'SELECT instance_id FROM coupon_codes WHERE code_hash = ?',
      ),
      rekey: db.prepare('UPDATE credentials SET lookup_key = ? WHERE lookup_key = ?'),
      rekeyUses: db.prepare('UPDATE credential_uses SET lookup_key = ? WHERE lookup_key = ?'),
      use: db.prepare<[string, number], { txn_key: string }>(
        'SELECT txn_key FROM credential_uses WHERE lookup_key = ? AND counter = ?',
      ),
      addUse: db.prepare('INSERT INTO credential_uses (lookup_key, counter, txn_key, at) VALUES (?, ?, ?, ?)'),
      pruneUses: db.prepare('DELETE FROM credential_uses WHERE at < ?'),
      hotlisted: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM hotlist WHERE lookup_key = ?'),
      hotlistAdd: db.prepare('INSERT OR IGNORE INTO hotlist (lookup_key, added_at) VALUES (?, ?)'),
      hotlistRemove: db.prepare('DELETE FROM hotlist WHERE lookup_key = ?'),
      hotlistClear: db.prepare('DELETE FROM hotlist'),
      hotlistSize: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM hotlist'),
      upsertProxy: db.prepare(
        `INSERT INTO family_proxies (member_id, payer_id, per_txn_fen, per_day_fen, per_month_fen)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(member_id, payer_id) DO UPDATE SET per_txn_fen = excluded.per_txn_fen,
           per_day_fen = excluded.per_day_fen, per_month_fen = excluded.per_month_fen`,
      ),
      proxies: db.prepare<
        [string],
        { payer_id: string; per_txn_fen: number; per_day_fen: number; per_month_fen: number }
      >(
        'SELECT payer_id, per_txn_fen, per_day_fen, per_month_fen ' +
          'FROM family_proxies WHERE member_id = ? ORDER BY payer_id',
      ),
      upsertMerchant: db.prepare(
        'INSERT INTO merchants (id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name',
      ),
    };
  }

  upsertMember(m: Member, now: number): void {
    this.s.upsertMember.run({
      id: m.id,
      tier: m.tier,
      birthdayMonth: m.birthdayMonth ?? null,
      lastActiveDate: m.lastActiveDate ?? null,
      familyGroupId: m.familyGroupId ?? null,
      segments: JSON.stringify(m.segments),
      now,
      // the member's document is the whole truth: one that no longer says "registered" reads as anonymous
      cardType: m.cardType ?? null,
    });
  }

  member(id: string): Member | undefined {
    const r = this.s.member.get(id);
    return r ? toMember(r) : undefined;
  }

  memberCount(): number {
    return this.s.memberCount.get()?.n ?? 0;
  }

  markActive(memberId: string, localDate: string): void {
    this.s.touchMember.run({ date: localDate, id: memberId });
  }

  addCredential(lookupKey: string, memberId: string, type: CredentialRecord['type'], now: number): void {
    this.s.upsertCredential.run(lookupKey, memberId, type, now);
  }

  credential(lookupKey: string): CredentialRecord | undefined {
    const r = this.s.credential.get(lookupKey);
    return r
      ? { lookupKey: r.lookup_key, memberId: r.member_id, type: r.type, status: r.status, lastCounter: r.last_counter }
      : undefined;
  }

  /** Hotlist: the card is refused from this commit on. */
  block(lookupKey: string): boolean {
    return this.s.block.run(lookupKey).changes === 1;
  }

  /** Stores a SUN tap counter only if it is higher than the last one: false means a replayed or cloned tap. */
  advanceCounter(lookupKey: string, counter: number): boolean {
    return this.s.setCounter.run(counter, lookupKey, counter).changes === 1;
  }

  upsertCampaign(c: Campaign, now: number): void {
    this.s.upsertCampaign.run(c.id, JSON.stringify(c), now);
    campaignGeneration.set(this.db, (campaignGeneration.get(this.db) ?? 0) + 1);
  }

  /**
   * All campaigns, parsed once and cached until one changes: through any CatalogRepo on this connection
   * (a fixture loaded beside the running engine) or by another process (`linli load`), which SQLite's
   * data_version tells.
   */
  campaigns(): ReadonlyMap<string, Campaign> {
    const generation = campaignGeneration.get(this.db) ?? 0;
    const version = this.s.dataVersion.get() ?? 0;
    if (!this.campaignCache || this.campaignCacheGeneration !== generation || this.campaignCacheVersion !== version) {
      this.campaignCache = new Map(this.s.campaigns.all().map((r) => [r.id, CampaignSchema.parse(JSON.parse(r.doc))]));
      this.campaignCacheGeneration = generation;
      this.campaignCacheVersion = version;
    }
    return this.campaignCache;
  }

  upsertInstance(i: BenefitInstance): void {
    this.s.upsertInstance.run({ ...i, expiresAt: i.expiresAt ?? null, usesLeft: i.usesLeft ?? null });
  }

  instance(id: string): BenefitInstance | undefined {
    const r = this.s.instance.get(id);
    return r ? toInstance(r) : undefined;
  }

  /** A coupon's scannable code, stored as a keyed hash; a new code replaces the coupon's earlier ones. */
  setCouponCode(codeHash: string, instanceId: string, now: number): void {
    this.s.dropCouponCodes.run(instanceId);
    this.s.addCouponCode.run(codeHash, instanceId, now);
  }

  /** Moves a card to its current lookup key (a card bound by an earlier release). */
  rekeyCredential(from: string, to: string): void {
    this.s.rekey.run(to, from);
    this.s.rekeyUses.run(to, from);
  }

  /** The transaction a secure card's tap (or a QR code's time step) was presented for, if it was. */
  credentialUse(lookupKey: string, counter: number): string | undefined {
    return this.s.use.get(lookupKey, counter)?.txn_key;
  }

  /** Binds a presentation to its transaction: a retry of that transaction may present it again, nothing else may. */
  recordCredentialUse(lookupKey: string, counter: number, txnKey: string, now: number): void {
    this.s.addUse.run(lookupKey, counter, txnKey, now);
  }

  /** Forgets presentations older than `before`: a retry comes within minutes, and the high-water mark stays. */
  pruneCredentialUses(before: number): number {
    return this.s.pruneUses.run(before).changes;
  }

  /** The cloud's hotlist: a card on it is refused whether or not this gateway knows the card yet. */
  isHotlisted(lookupKey: string): boolean {
    return (this.s.hotlisted.get(lookupKey)?.n ?? 0) > 0;
  }
  hotlistAdd(lookupKey: string, now: number): void {
    this.s.hotlistAdd.run(lookupKey, now);
  }
  hotlistRemove(lookupKey: string): void {
    this.s.hotlistRemove.run(lookupKey);
  }
  hotlistClear(): void {
    this.s.hotlistClear.run();
  }
  hotlistSize(): number {
    return this.s.hotlistSize.get()?.n ?? 0;
  }

  couponInstance(codeHash: string): string | undefined {
    return this.s.couponCode.get(codeHash)?.instance_id;
  }

  instancesOf(memberId: string): BenefitInstance[] {
    return this.s.instances.all(memberId).map(toInstance);
  }

  upsertProxy(p: {
    memberId: string;
    payerId: string;
    perTxnFen: number;
    perDayFen: number;
    perMonthFen: number;
  }): void {
    this.s.upsertProxy.run(p.memberId, p.payerId, p.perTxnFen, p.perDayFen, p.perMonthFen);
  }

  /** The family payers of a member with their limits (spending so far is added by the caller). */
  proxyLimits(memberId: string): Omit<ProxyAllowance, 'spentTodayFen' | 'spentMonthFen' | 'payerBalanceFen'>[] {
    return this.s.proxies.all(memberId).map((r) => ({
      payerId: r.payer_id,
      perTxnFen: r.per_txn_fen,
      perDayFen: r.per_day_fen,
      perMonthFen: r.per_month_fen,
    }));
  }

  upsertMerchant(id: string, name: string): void {
    this.s.upsertMerchant.run(id, name);
  }
}
