import type { KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { account, type LedgerPort, type WriterPort } from '../redemption/service/ports.ts';
import type { CatalogRepo } from '../redemption/store/catalog-repo.ts';
import type { UsageRepo } from '../redemption/store/usage-repo.ts';
import type { LedgerOpeningBalances } from '../redemption/opening-balances.ts';
import type { GatewaySecrets } from '../security/gateway-secrets.ts';
import type { Db } from '../store/db.ts';
import { DOC_BODIES, DownDocSchema, verifyDoc, type DocName, type DownDoc } from './cloud-docs.ts';
import type { OutboxPort } from './outbox-repo.ts';
import type { RolloutService } from './rollouts.ts';
import type { GroupBuyRepo } from '../flows/store/group-buy-repo.ts';
import type { ParcelRepo } from '../flows/store/parcel-repo.ts';
import type { AccessRepo } from '../flows/store/access-repo.ts';
import { placeOrder } from '../flows/group-buys.ts';

/** Where the cloud's escrowed wallet money comes from on this gateway's ledger. */
export const ESCROW_ACCOUNT = 'escrow:cloud';

export interface DocAck {
  doc: DocName;
  version: number;
  resync: boolean;
}

export interface DocSyncDeps {
  db: Db;
  catalog: CatalogRepo;
  usage: UsageRepo;
  ledger: LedgerPort;
  openingBalances: LedgerOpeningBalances;
  secrets: GatewaySecrets;
  writer: WriterPort;
  outbox: OutboxPort | undefined;
  clock: Clock;
  log: Logger;
  /** Keys the cloud signs documents with; the hotlist is refused unsigned, other documents when keys are set. */
  signingKeys: ReadonlyMap<string, KeyObject>;
  /** Answers the cloud: what was applied, or a request for a full document. */
  ack(a: DocAck): void;
  /** The cloud's time as a document states it: a hint for the clock health. */
  onTimeHint?(cloudMs: number): void;
  rollouts?: RolloutService;
  /** Applies run-time settings from a `config` document (after its transaction committed). */
  onConfig?(settings: { lowTrust?: { perTxnFen: number; perDayFen: number } | undefined; hotlistMaxAgeH?: number | undefined }): void;
  groupBuys?: GroupBuyRepo;
  parcels?: ParcelRepo;
  access?: AccessRepo;
}

/**
 * Applies the cloud's versioned documents in order and exactly once: a full document replaces, a delta
 * applies on top of exactly its base version; an old or repeated one is acknowledged and ignored; a
 * gap (a delta on a version the gateway does not have) asks for a full document instead. Each applies
 * in one transaction with its new version, so a crash leaves the old version or the new, never half.
 */
export class DocSync {
  private readonly s;
  refused = 0;

  constructor(private readonly d: DocSyncDeps) {
    this.s = {
      get: d.db.prepare<[string], { version: number; issued_at: number }>('SELECT version, issued_at FROM cloud_docs WHERE doc = ?'),
      body: d.db.prepare<[string], { body: string | null }>('SELECT body FROM cloud_docs WHERE doc = ?'),
      setBody: d.db.prepare('UPDATE cloud_docs SET body = ? WHERE doc = ?'),
      set: d.db.prepare(
        'INSERT INTO cloud_docs (doc, version, issued_at, applied_at) VALUES (?, ?, ?, ?) ON CONFLICT(doc) DO UPDATE SET version = excluded.version, issued_at = excluded.issued_at, applied_at = excluded.applied_at',
      ),
    };
  }

  private pendingSettings: Record<string, unknown> | undefined;

  /** The run-time settings the cloud set (merged over all config documents applied). */
  settings(): { lowTrust?: { perTxnFen: number; perDayFen: number } | undefined; hotlistMaxAgeH?: number | undefined } {
    const raw = this.s.body.get('config')?.body;
    const parsed = raw ? DOC_BODIES.config.safeParse(JSON.parse(raw)) : undefined;
    return parsed?.success ? parsed.data : {};
  }

  version(doc: DocName): number {
    return this.s.get.get(doc)?.version ?? 0;
  }

  /** When the cloud issued the document the gateway holds (the age of its hotlist). */
  issuedAt(doc: DocName): number | undefined {
    return this.s.get.get(doc)?.issued_at;
  }

  async handle(payload: Buffer): Promise<'applied' | 'duplicate' | 'gap' | 'refused'> {
    let doc: DownDoc;
    try {
      doc = DownDocSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch (err) {
      this.refused += 1;
      this.d.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'malformed cloud document refused');
      return 'refused';
    }
    const mustSign = doc.doc === 'hotlist' || this.d.signingKeys.size > 0;
    if (mustSign && !verifyDoc(doc, this.d.signingKeys)) {
      this.refused += 1;
      this.d.log.error({ doc: doc.doc, version: doc.version, kid: doc.kid }, 'cloud document with a missing or bad signature refused');
      return 'refused';
    }
    const body = DOC_BODIES[doc.doc].safeParse(doc.body);
    if (!body.success) {
      this.refused += 1;
      this.d.log.warn({ doc: doc.doc, version: doc.version, issues: body.error.issues.slice(0, 5) }, 'cloud document body invalid: refused');
      return 'refused';
    }
    this.d.onTimeHint?.(doc.issuedAt);
    const have = this.version(doc.doc);
    if (doc.kind === 'full' ? doc.version <= have : (doc.base ?? 0) < have || doc.version <= have) {
      this.d.ack({ doc: doc.doc, version: have, resync: false });
      return 'duplicate';
    }
    if (doc.kind === 'delta' && doc.base !== have) {
      this.d.log.warn({ doc: doc.doc, have, base: doc.base }, 'cloud document version gap: asking for a full document');
      this.d.ack({ doc: doc.doc, version: have, resync: true });
      return 'gap';
    }
    await this.d.writer.submit(() => {
      // a unit may run after another applied a version: decide again on committed state
      if (this.version(doc.doc) !== have) return;
      this.apply(doc, body.data);
      this.s.set.run(doc.doc, doc.version, doc.issuedAt, this.d.clock.now());
      if (doc.doc === 'config') this.s.setBody.run(JSON.stringify(this.pendingSettings ?? {}), 'config');
    });
    if (doc.doc === 'config' && this.version('config') === doc.version) this.d.onConfig?.(this.settings());
    this.d.log.info({ doc: doc.doc, kind: doc.kind, version: doc.version }, 'cloud document applied');
    this.d.ack({ doc: doc.doc, version: this.version(doc.doc), resync: false });
    return 'applied';
  }

  /** A grant that came with an online authorisation; credited once, like one in the allowances document. */
  applyGrant(g: { grantId: string; memberId: string; amountFen: number }): Promise<void> {
    return this.d.writer.submit(() => this.credit(g, this.d.clock.now()));
  }

  private credit(g: { grantId: string; memberId: string; amountFen: number }, now: number): void {
    const marker = `grant|${g.grantId}`;
    if (this.d.usage.get(marker).count > 0) return; // credited once, whatever the redeliveries
    this.d.usage.bump(marker, 1, g.amountFen);
    const base = { at: now, txnId: g.grantId, redemptionId: `grant:${g.grantId}`, reason: 'topup' as const };
    this.d.ledger.append([
      { ...base, account: ESCROW_ACCOUNT, asset: 'fen', delta: -g.amountFen },
      { ...base, account: account.wallet(g.memberId), asset: 'fen', delta: g.amountFen },
    ]);
    this.d.outbox?.append('money', 'allowance.credited', { grantId: g.grantId, memberId: g.memberId, amountFen: g.amountFen, at: now });
  }

  private apply(doc: DownDoc, body: unknown): void {
    const now = this.d.clock.now();
    switch (doc.doc) {
      case 'hotlist': {
        const b = DOC_BODIES.hotlist.parse(body);
        if (doc.kind === 'full') this.d.catalog.hotlistClear();
        for (const c of b.block) this.d.catalog.hotlistAdd(this.d.secrets.lookupKeyOf(c.fingerprint), now);
        for (const c of b.unblock) this.d.catalog.hotlistRemove(this.d.secrets.lookupKeyOf(c.fingerprint));
        return;
      }
      case 'catalog': {
        const b = DOC_BODIES.catalog.parse(body);
        for (const m of b.merchants) this.d.catalog.upsertMerchant(m.id, m.name);
        for (const c of b.campaigns) this.d.catalog.upsertCampaign(c, now);
        for (const m of b.members) {
          const { cards, benefits, ...member } = m;
          this.d.catalog.upsertMember(member, now);
          for (const c of cards) this.d.catalog.addCredential(this.d.secrets.lookupKeyOf(c.fingerprint), m.id, c.type, now);
          const campaigns = this.d.catalog.campaigns();
          for (const bi of benefits) {
            const campaign = campaigns.get(bi.campaignId);
            // a single-use coupon or a card's uses are leased to this gateway: the cloud says how many
            const usesLeft = bi.usesLeft ?? (campaign?.usage.type === 'single_use' ? 1 : campaign?.usage.type === 'punch_card' ? campaign.usage.uses : undefined);
            this.d.catalog.upsertInstance({ id: bi.id, campaignId: bi.campaignId, memberId: m.id, issuedAt: now, ...(bi.expiresAt !== undefined ? { expiresAt: bi.expiresAt } : {}), ...(usesLeft !== undefined ? { usesLeft } : {}), status: usesLeft === 0 ? 'used' : 'active' });
            if (usesLeft !== undefined) this.d.openingBalances.setUses(bi.id, usesLeft, `cloud-catalog-${doc.version}`, now);
          }
        }
        return;
      }
      case 'allowances': {
        const b = DOC_BODIES.allowances.parse(body);
        for (const g of b.grants) this.credit(g, now);
        for (const r of b.releases) {
          const marker = `release|${r.releaseId}`;
          if (this.d.usage.get(marker).count > 0) continue;
          const left = this.d.ledger.balance(account.wallet(r.memberId), 'fen');
          this.d.usage.bump(marker, 1, left);
          if (left > 0) {
            const base = { at: now, txnId: r.releaseId, redemptionId: `release:${r.releaseId}`, reason: 'adjustment' as const };
            this.d.ledger.append([
              { ...base, account: account.wallet(r.memberId), asset: 'fen', delta: -left },
              { ...base, account: ESCROW_ACCOUNT, asset: 'fen', delta: left },
            ]);
          }
          // the cloud learns exactly what came back, in the same transaction
          this.d.outbox?.append('money', 'allowance.released', { releaseId: r.releaseId, memberId: r.memberId, amountFen: left, at: now });
        }
        return;
      }
      case 'config': {
        // a delta changes only what it names; the merged settings are kept, and applied once committed
        const b = DOC_BODIES.config.parse(body);
        const merged = { ...(doc.kind === 'delta' ? this.settings() : {}), ...b };
        this.pendingSettings = merged;
        return;
      }
      case 'display': {
        const b = DOC_BODIES.display.parse(body);
        for (const r of b.rollouts) this.d.rollouts?.add(r, now);
        return;
      }
      case 'groupbuys': {
        const b = DOC_BODIES.groupbuys.parse(body);
        const repo = this.d.groupBuys;
        const parcels = this.d.parcels;
        if (!repo || !parcels) return;
        for (const o of b.orders) {
          if (!repo.get(o.id)) repo.create(o.id, o.title, o.targetQty, o.closesAt, now);
          // orders of members this gateway does not know yet wait for the catalog
          for (const buyer of o.buyers) if (this.d.catalog.member(buyer.memberId)) placeOrder(repo, parcels, o.id, buyer.memberId, buyer.qty, now);
        }
        return;
      }
      case 'visitors': {
        const b = DOC_BODIES.visitors.parse(body);
        for (const c of b.codes) {
          const codeHash = this.d.secrets.codeHash('visitor', c.code);
          if (!this.d.access || this.d.access.visitorCode(codeHash)) continue;
          this.d.access.addVisitorCode({ codeHash, zone: c.zone, hostMemberId: c.hostMemberId, label: 'cloud', validFrom: c.validFrom, expiresAt: c.expiresAt, usesLeft: c.uses }, now);
        }
        return;
      }
    }
  }
}
