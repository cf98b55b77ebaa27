import type { KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { account, type LedgerPort, type WriterPort } from '../redemption/service/ports.ts';
import type { CatalogRepo } from '../redemption/store/catalog-repo.ts';
import type { UsageRepo } from '../redemption/store/usage-repo.ts';
import type { LedgerOpeningBalances } from '../redemption/opening-balances.ts';
import type { GatewaySecrets } from '../security/gateway-secrets.ts';
import type { Db } from '../store/db-type.ts';
import { verifyDoc } from './cloud-docs.ts';
import { alreadyApplied, creditGrant, escrowKey, grantMarker, releaseMarker, releaseToEscrow } from './cloud-escrow.ts';
import {
  DOC_BODIES,
  DownDocSchema,
  type CloudSettings,
  type DocAck,
  type DocName,
  type DownDoc,
} from './contract/documents.ts';
import type { Grant } from './contract/envelopes.ts';
import type { TopUpGuard } from '../prepaid/topup-guard.ts';
import type { RestoreDoc } from './contract/events-restore.ts';
import type { OutboxPort } from './outbox-port.ts';
import type { RolloutService } from './rollouts.ts';
import type { KindParts } from '../kinds/kind-parts.ts';

export type { DocAck } from './contract/documents.ts';

interface DocSyncDeps {
  db: Db;
  gatewayId: string;
  catalog: CatalogRepo;
  usage: UsageRepo;
  ledger: LedgerPort;
  openingBalances: LedgerOpeningBalances;
  secrets: GatewaySecrets;
  writer: WriterPort;
  outbox: OutboxPort | undefined;
  clock: Clock;
  log: Logger;
  /** Keys the cloud signs documents with: every document is refused unsigned or signed by another key [CLP-5.2]. */
  signingKeys: ReadonlyMap<string, KeyObject>;
  /** Answers the cloud: what was applied, or a request for a full document [CLP-5.4]. */
  ack(a: DocAck): void;
  /** The cloud's time as a document states it: a hint for the clock health [CLP-7.1]. */
  onTimeHint?(cloudMs: number): void;
  rollouts?: RolloutService;
  /** Applies run-time settings from a `config` document (after its transaction committed). */
  onConfig?(settings: CloudSettings): void;
  /** The sections the device kinds apply (group buys to lockers, visitor codes to doors). */
  kindDocs?: KindParts['cloudDocs'];
  /** The stored-value caps: a grant over its member's cap is refused whole and reported [CLP-4.14]. */
  topUps?: TopUpGuard;
  /** Applies the money a restored database lacks [CLP-5.12], in the document's unit. */
  restore?(body: RestoreDoc): void;
}

/**
 * Applies the cloud's versioned documents in order and exactly once [CLP-5.3]: a full document replaces, a
 * delta applies on top of exactly its base version; an old or repeated one is acknowledged and ignored; a
 * gap (a delta on a version the gateway does not have) asks for a full document instead. Each applies
 * in one transaction with its new version, so a crash leaves the old version or the new, never half.
 */
export class DocSync {
  private readonly s;
  refused = 0;

  constructor(private readonly d: DocSyncDeps) {
    this.s = {
      get: d.db.prepare<[string], { version: number; issued_at: number }>(
        'SELECT version, issued_at FROM cloud_docs WHERE doc = ?',
      ),
      body: d.db.prepare<[string], { body: string | null }>('SELECT body FROM cloud_docs WHERE doc = ?'),
      setBody: d.db.prepare('UPDATE cloud_docs SET body = ? WHERE doc = ?'),
      set: d.db.prepare(
        'INSERT INTO cloud_docs (doc, version, issued_at, applied_at) VALUES (?, ?, ?, ?) ON CONFLICT(doc) DO UPDATE ' +
          'SET version = excluded.version, issued_at = excluded.issued_at, applied_at = excluded.applied_at',
      ),
    };
  }

  private pendingSettings: Record<string, unknown> | undefined;

  /** The run-time settings the cloud set (merged over all config documents applied). */
  settings(): CloudSettings {
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

  private chain: Promise<unknown> = Promise.resolve();

  /** One document at a time, in arrival order: a delta is checked only after the one before it committed. */
  handle(payload: Buffer): Promise<'applied' | 'duplicate' | 'gap' | 'refused'> {
    const next = this.chain.then(() => this.handleOne(payload));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async handleOne(payload: Buffer): Promise<'applied' | 'duplicate' | 'gap' | 'refused'> {
    // [CLP-5.3] a document that cannot be read, is not signed for us, or has an invalid body is refused
    // (logged and counted, never acknowledged)
    let doc: DownDoc;
    try {
      doc = DownDocSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch (err) {
      this.refused += 1;
      this.d.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'malformed cloud document refused');
      return 'refused';
    }
    // every document is signed: an unsigned allowance would credit wallets, an unsigned catalog bind cards
    if (!verifyDoc(this.d.gatewayId, doc, this.d.signingKeys)) {
      this.refused += 1;
      this.d.log.error(
        { doc: doc.doc, version: doc.version, kid: doc.kid },
        'cloud document with a missing or bad signature refused',
      );
      return 'refused';
    }
    const body = DOC_BODIES[doc.doc].safeParse(doc.body);
    if (!body.success) {
      this.refused += 1;
      this.d.log.warn(
        { doc: doc.doc, version: doc.version, issues: body.error.issues.slice(0, 5) },
        'cloud document body invalid: refused',
      );
      return 'refused';
    }
    // [CLP-5.3] in order and once: old or repeated → acknowledged as what we have; a gap → ask for a full one
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
    // a fresh document is a fair statement of the cloud's time (a duplicate may have waited at the broker)
    this.d.onTimeHint?.(doc.issuedAt);
    let applied: boolean;
    try {
      applied = await this.d.writer.submit(() => {
        if (this.version(doc.doc) !== have) return false;
        this.apply(doc, body.data);
        this.s.set.run(doc.doc, doc.version, doc.issuedAt, this.d.clock.now());
        if (doc.doc === 'config') this.s.setBody.run(JSON.stringify(this.pendingSettings ?? {}), 'config');
        return true;
      });
    } catch (err) {
      // [CLP-5.3] a signed document that contradicts itself or what the box holds (a benefit of a campaign
      // nobody sent) is refused like an invalid body: its unit rolled back, counted, never acknowledged
      if (!String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_CONSTRAINT')) throw err;
      this.refused += 1;
      this.d.log.warn(
        { doc: doc.doc, version: doc.version, reason: (err as Error).message },
        'cloud document inconsistent: refused',
      );
      return 'refused';
    }
    if (!applied) {
      this.d.ack({ doc: doc.doc, version: this.version(doc.doc), resync: false });
      return 'duplicate';
    }
    if (doc.doc === 'config' && this.version('config') === doc.version) this.d.onConfig?.(this.settings());
    this.d.log.info({ doc: doc.doc, kind: doc.kind, version: doc.version }, 'cloud document applied');
    this.d.ack({ doc: doc.doc, version: this.version(doc.doc), resync: false });
    return 'applied';
  }

  /**
   * An issued benefit: created once with its campaign's uses; its uses change only with a newer lease
   * (`leaseSeq`), so a coupon used here is never made usable again by a repeated or old document.
   */
  private benefit(
    memberId: string,
    bi: {
      id: string;
      campaignId: string;
      expiresAt?: number | undefined;
      usesLeft?: number | undefined;
      leaseSeq?: number | undefined;
    },
    campaigns: ReturnType<CatalogRepo['campaigns']>,
    version: number,
    now: number,
  ): void {
    const existing = this.d.catalog.instance(bi.id);
    const marker = `lease|${bi.id}`;
    const leaseNewer = bi.leaseSeq !== undefined && bi.leaseSeq > this.d.usage.get(marker).amountFen;
    if (existing && !leaseNewer) {
      if (bi.expiresAt !== undefined && bi.expiresAt !== existing.expiresAt)
        this.d.catalog.upsertInstance({ ...existing, expiresAt: bi.expiresAt });
      return;
    }
    const campaign = campaigns.get(bi.campaignId);
    const usesLeft =
      bi.usesLeft ??
      (campaign?.usage.type === 'single_use'
        ? 1
        : campaign?.usage.type === 'punch_card'
          ? campaign.usage.uses
          : undefined);
    this.d.catalog.upsertInstance({
      id: bi.id,
      campaignId: bi.campaignId,
      memberId,
      issuedAt: existing?.issuedAt ?? now,
      ...(bi.expiresAt !== undefined ? { expiresAt: bi.expiresAt } : {}),
      ...(usesLeft !== undefined ? { usesLeft } : {}),
      status: usesLeft === 0 ? 'used' : 'active',
    });
    if (usesLeft !== undefined) this.d.openingBalances.setUses(bi.id, usesLeft, `cloud-catalog-${version}`, now);
    if (bi.leaseSeq !== undefined) this.d.usage.bump(marker, 0, bi.leaseSeq - this.d.usage.get(marker).amountFen);
  }

  /**
   * A grant that came with an online authorisation [CLP-6.2]; credited once, like one in the allowances
   * document. False when it was refused over the member's cap [CLP-4.14] (now or the first time).
   */
  applyGrant(g: Grant): Promise<boolean> {
    return this.d.writer.submit(() => this.credit(g, this.d.clock.now(), 'online'));
  }

  /** [CLP-5.7] Credited once by grant id; the cloud hears of it (`allowance.credited` [CLP-4.4]). */
  private credit(g: Grant, now: number, source: 'grant' | 'online'): boolean {
    // credited (or refused) once, whatever the redeliveries
    if (alreadyApplied(this.d, grantMarker(g.grantId))) return !this.d.topUps?.wasRefused(g.grantId);
    const topUp = { sourceId: g.grantId, source, memberId: g.memberId, amountFen: g.amountFen };
    const refused = this.d.topUps?.screen(topUp, now);
    if (refused) {
      this.d.usage.bump(grantMarker(g.grantId), 1, 0);
      this.d.log.warn({ grantId: g.grantId, ...refused }, 'top-up refused over the card cap');
      return false;
    }
    creditGrant(this.d, g, now);
    this.d.outbox?.append('money', 'allowance.credited', {
      grantId: g.grantId,
      memberId: g.memberId,
      amountFen: g.amountFen,
      at: now,
    });
    return true;
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
        const campaigns = this.d.catalog.campaigns();
        for (const m of b.members) {
          const { cards, benefits, ...member } = m;
          this.d.catalog.upsertMember(member, now);
          for (const c of cards)
            this.d.catalog.addCredential(this.d.secrets.lookupKeyOf(c.fingerprint), m.id, c.type, now);
          for (const bi of benefits) this.benefit(m.id, bi, campaigns, doc.version, now);
        }
        return;
      }
      case 'allowances': {
        const b = DOC_BODIES.allowances.parse(body);
        for (const g of b.grants) this.credit(g, now, 'grant');
        for (const r of b.releases) {
          if (alreadyApplied(this.d, releaseMarker(r.releaseId))) continue;
          // only escrowed money goes back: what the member had here before the cloud stays theirs
          const escrowed = this.d.usage.get(escrowKey(r.memberId)).amountFen;
          const left = Math.max(0, Math.min(this.d.ledger.balance(account.wallet(r.memberId), 'fen'), escrowed));
          releaseToEscrow(this.d, r, left, now);
          // the cloud learns exactly what came back, in the same transaction
          this.d.outbox?.append('money', 'allowance.released', {
            releaseId: r.releaseId,
            memberId: r.memberId,
            amountFen: left,
            at: now,
          });
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
      case 'groupbuys':
        this.d.kindDocs?.groupbuys?.(DOC_BODIES.groupbuys.parse(body), now);
        return;
      case 'visitors':
        this.d.kindDocs?.visitors?.(DOC_BODIES.visitors.parse(body), now);
        return;
      case 'restore':
        this.d.restore?.(DOC_BODIES.restore.parse(body));
        return;
    }
  }
}
