import mqtt, { type MqttClient } from 'mqtt';
import { randomBytes, type KeyObject } from 'node:crypto';
import type * as z from 'zod';
import { signDoc } from '../../gateway/cloud/cloud-docs.ts';
import { DocAckSchema, type DocAck, type DocName } from '../../gateway/cloud/contract/documents.ts';
import {
  CloudBatchObject,
  CloudBatchSchema,
  CloudGatewayStateSchema,
  TopUpRequestSchema,
  type CloudBatch,
  type TopUpRequest,
} from '../../gateway/cloud/contract/envelopes.ts';
import { eventProblem } from '../../gateway/cloud/contract/events.ts';
import type { LedgerAnchor } from '../../gateway/cloud/contract/events-ledger.ts';
import { cloudTopics } from '../../gateway/cloud/contract/topics.ts';
import type { Logger } from '../../gateway/core/log.ts';
import { silentLogger } from '../../gateway/core/log.ts';

export interface TwinStream {
  /** The last seq applied, in order. */
  upTo: number;
  events: CloudBatch['events'];
  duplicates: number;
  gaps: number;
  historical: number;
  dropped: number;
}

/** The fields of the prepaid events [CLP-4.14..16] the twin acts on. */
interface PrepaidEvent {
  memberId?: string;
  amountFen?: number;
  merchantId?: string;
  day?: string;
  seq?: number;
  netFen?: number;
  prevHash?: string;
  hash?: string;
}

/** A message from a gateway that breaks the cloud contract (CLOUD-PROTOCOL.md). */
interface InvalidMessage {
  topic: string;
  /** Which message: `batch`, `event {type} #{seq}`, `state`, `docack`, `rpc/req`. */
  what: string;
  problem: string;
}

const problemOf = (e: z.ZodError) =>
  e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`)
    .join('; ');

/**
 * A simulated cloud platform: consumes every gateway's uplink from the cloud broker, applies each
 * stream's events exactly once and in order (duplicates are counted and skipped, a gap is never
 * applied over) [CLP-3.6], and acknowledges what it applied [CLP-3.7]. Everything it receives is checked
 * against the contract: what breaks it is counted in `invalidMessages` (an event that breaks it is still
 * applied, as a lenient platform would). Tests read its accounting.
 */
export class CloudTwin {
  private client: MqttClient | undefined;
  readonly streams = new Map<string, TwinStream>();
  readonly states: unknown[] = [];
  batches = 0;
  /** Messages that could not be read at all (not JSON, or no batch): dropped. */
  malformed = 0;
  /** Messages from gateways that break the contract (the first 100 kept), malformed ones included. */
  readonly invalidMessages: InvalidMessage[] = [];
  invalid = 0;
  private log: Logger = silentLogger();

  /** Per gateway and document: the current version and the whole body (sent in full on a resync). */
  readonly docs = new Map<string, { version: number; full: Record<string, unknown> }>();
  /** The cloud's wallets: what each member has left to grant to gateways. */
  readonly wallets = new Map<string, number>();
  /** What each gateway was granted per member (its allowance total). */
  readonly granted = new Map<string, number>();
  topUps = { asked: 0, granted: 0, refused: 0 };
  /** Stop answering online authorisations (a slow or overloaded cloud). */
  silent = false;
  /** Acknowledgements to lose (as if the ack never reached the gateway). */
  dropAcks = 0;
  /** Overspend found at reconciliation: member → fen owed. */
  readonly debts = new Map<string, number>();

  constructor(
    private readonly opts: {
      url: string;
      log?: Logger;
      clientId?: string;
      protocolVersion?: 4 | 5;
      signer?: { kid: string; key: KeyObject };
      now?: () => number;
      username?: string;
      password?: string;
    },
  ) {}

  async start(): Promise<void> {
    this.log = this.opts.log ?? silentLogger();
    const v5 = (this.opts.protocolVersion ?? 5) === 5;
    this.client = await mqtt.connectAsync(this.opts.url, {
      clientId: this.opts.clientId ?? 'linli-cloud-twin',
      clean: false,
      protocolVersion: v5 ? 5 : 4,
      ...(v5 ? { properties: { sessionExpiryInterval: 3600 } } : {}),
      reconnectPeriod: 500,
      ...(this.opts.username ? { username: this.opts.username, password: this.opts.password ?? '' } : {}),
    });
    this.client.on('message', (topic, payload) => {
      const gw = cloudTopics.gatewayOf(topic) ?? '';
      if (topic === cloudTopics.docAck(gw)) return void this.onDocAck(gw, topic, payload);
      if (topic === cloudTopics.rpcReq(gw)) return void this.onTopUp(gw, topic, payload);
      if (topic === cloudTopics.state(gw)) {
        const state = this.read(topic, 'state', payload, CloudGatewayStateSchema, true);
        if (state !== undefined) this.states.push(state);
        return;
      }
      const t = cloudTopics.parse(topic);
      if (!t) return;
      const batch: CloudBatch | undefined = this.read(topic, 'batch', payload, CloudBatchObject);
      if (!batch) return;
      // [CLP-3.2] a batch names the gateway and stream of its topic, numbers its events as [CLP-3.4] says,
      // and each event keeps the contract of its type [CLP-4]
      if (batch.gatewayId !== t.gatewayId || batch.stream !== t.stream)
        this.flag(
          topic,
          'batch',
          `batch of ${batch.gatewayId}/${batch.stream} on the topic of ${t.gatewayId}/${t.stream}`,
        );
      const numbering = CloudBatchSchema.safeParse(batch);
      if (!numbering.success) this.flag(topic, 'batch', problemOf(numbering.error));
      for (const e of batch.events) {
        const problem = eventProblem(batch.stream, e.kind, e.data);
        if (problem !== undefined) this.flag(topic, `event ${e.kind} #${e.seq}`, problem);
      }
      this.apply(batch);
    });
    await this.client.subscribeAsync(
      [cloudTopics.allUp(), cloudTopics.allState(), cloudTopics.allDocAck(), cloudTopics.allRpcReq()],
      { qos: 1 },
    );
  }

  /**
   * A message as the contract has it; a message that does not keep it is counted, and returned all the
   * same when it can be read (a lenient platform), undefined when it cannot (not JSON, or not the schema).
   */
  private read<T extends z.ZodType>(
    topic: string,
    what: string,
    payload: Buffer,
    schema: T,
    lenient = false,
  ): z.output<T> | undefined {
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString());
    } catch {
      this.malformed += 1;
      this.flag(topic, what, 'not JSON');
      return undefined;
    }
    const r = schema.safeParse(raw);
    if (r.success) return r.data;
    this.flag(topic, what, problemOf(r.error));
    if (lenient) return raw as z.output<T>;
    this.malformed += 1;
    return undefined;
  }

  private flag(topic: string, what: string, problem: string): void {
    this.invalid += 1;
    if (this.invalidMessages.length < 100) this.invalidMessages.push({ topic, what, problem });
    if (this.invalid <= 10) this.log.warn({ topic, what, problem }, 'cloud twin: a message breaks the cloud contract');
  }

  /** Members a gateway erased on request [CLP-4.13], per gateway: the cloud forgets them too. */
  readonly erasedMembers = new Map<string, Set<string>>();

  /** [CLP-4.13] The cloud erases the member as well: their wallet here, and they are remembered as erased. */
  private erase(gatewayId: string, memberId: string): void {
    const set = this.erasedMembers.get(gatewayId) ?? new Set<string>();
    set.add(memberId);
    this.erasedMembers.set(gatewayId, set);
    this.wallets.delete(memberId);
  }

  /** Balance refunds the cloud paid residents back [CLP-4.15], per gateway and member. */
  readonly refundsPaid = new Map<string, number>();
  /** Each gateway's daily closes [CLP-4.16] as received, and closes whose prevHash is not the last one's hash. */
  readonly closes = new Map<string, PrepaidEvent[]>();
  readonly closeBreaks: { gatewayId: string; seq: number }[] = [];

  /**
   * The prepaid events: a top-up refused over a card cap [CLP-4.14] goes back to whoever paid (the member's
   * cloud wallet; the grant no longer counts as escrowed there); a refund [CLP-4.15] is paid to the resident;
   * a daily close [CLP-4.16] must chain onto the gateway's previous one.
   */
  private prepaid(gatewayId: string, kind: string, d: PrepaidEvent): void {
    const key = `${gatewayId}/${d.memberId ?? ''}`;
    if (kind === 'prepaid.topup_refused' && d.memberId && d.amountFen) {
      this.wallets.set(d.memberId, (this.wallets.get(d.memberId) ?? 0) + d.amountFen);
      this.granted.set(key, (this.granted.get(key) ?? 0) - d.amountFen);
    } else if (kind === 'prepaid.refunded' && d.amountFen) {
      this.refundsPaid.set(key, (this.refundsPaid.get(key) ?? 0) + d.amountFen);
    } else if (kind === 'prepaid.daily_closed') {
      const list = this.closes.get(gatewayId) ?? [];
      const last = list.at(-1);
      if (last && d.prevHash !== last.hash) this.closeBreaks.push({ gatewayId, seq: d.seq ?? 0 });
      this.closes.set(gatewayId, [...list, d]);
    }
  }

  /** Per gateway and epoch, the ledger entry hash each anchor named [CLP-4.12], by seq. */
  readonly anchors = new Map<string, Map<number, string>>();
  /** Anchors that contradict what the cloud received before: the box's chain was rewritten. */
  readonly ledgerRewrites: { gatewayId: string; seq: number; expected: string; got: string | null }[] = [];

  private checkAnchor(gatewayId: string, epoch: string, a: LedgerAnchor): void {
    const known = (e: string) => {
      let m = this.anchors.get(`${gatewayId}/${e}`);
      if (!m) {
        m = new Map();
        this.anchors.set(`${gatewayId}/${e}`, m);
      }
      return m;
    };
    const points = [
      ...(a.previous ? [a.previous] : []),
      // a chain rewritten with nothing new since names the same entry twice: one finding
      ...(a.previous?.seq === a.tip.seq && a.previous.epoch === epoch ? [] : [{ ...a.tip, epoch }]),
    ];
    for (const p of points) {
      const expected = known(p.epoch).get(p.seq);
      if (expected !== undefined && expected !== p.hash) {
        this.ledgerRewrites.push({ gatewayId, seq: p.seq, expected, got: p.hash });
        this.log.warn({ gatewayId, seq: p.seq }, 'cloud twin: a ledger anchor contradicts an earlier one');
      }
    }
    if (!known(epoch).has(a.tip.seq)) known(epoch).set(a.tip.seq, a.tip.hash);
  }

  /** The epoch each gateway's database is in (a restored backup starts a new one, with its own sequences). */
  readonly epochs = new Map<string, string>();

  /** A stream of a gateway, in its current epoch (or a given one). */
  stream(gatewayId: string, stream: string, epoch = this.epochs.get(gatewayId) ?? '-'): TwinStream {
    const key = `${gatewayId}/${epoch}/${stream}`;
    let s = this.streams.get(key);
    if (!s) {
      s = { upTo: 0, events: [], duplicates: 0, gaps: 0, historical: 0, dropped: 0 };
      this.streams.set(key, s);
    }
    return s;
  }

  /** Every epoch of each gateway, in the order the cloud first heard of them. */
  readonly epochOrder = new Map<string, string[]>();

  /** A stream of a gateway over all its epochs, in order: what the cloud's accounting counts. */
  eventsOf(gatewayId: string, stream: string): CloudBatch['events'] {
    return (this.epochOrder.get(gatewayId) ?? []).flatMap((epoch) => this.stream(gatewayId, stream, epoch).events);
  }

  /** Restores the cloud answered [CLP-5.12]: what it sent each restored database of the epoch it came from. */
  readonly recoveries: { gatewayId: string; epoch: string; fromEpoch: string; after: number; upTo: number }[] = [];

  private apply(batch: CloudBatch): void {
    this.batches += 1;
    this.epochs.set(batch.gatewayId, batch.epoch);
    const order = this.epochOrder.get(batch.gatewayId) ?? [];
    if (!order.includes(batch.epoch)) this.epochOrder.set(batch.gatewayId, [...order, batch.epoch]);
    const s = this.stream(batch.gatewayId, batch.stream, batch.epoch);
    // [CLP-3.12] a restored database's epoch numbers on from its restore point: the series starts there
    if (batch.base !== undefined && s.upTo === 0 && s.events.length === 0) s.upTo = batch.base;
    // a droppable stream (telemetry) may skip what the gateway dropped: accept the jump, count it
    if (batch.stream === 'telemetry' && batch.after > s.upTo) {
      s.dropped += batch.after - s.upTo;
      s.upTo = batch.after;
    }
    for (const e of batch.events) {
      if (e.seq <= s.upTo) {
        s.duplicates += 1;
        continue;
      }
      if (e.seq !== s.upTo + 1) {
        s.gaps += 1;
        break; // never apply over a gap: the gateway sends it again from what we acknowledge
      }
      s.events.push(e);
      s.upTo = e.seq;
      if (e.historical) s.historical += 1;
      if (e.kind === 'ledger.anchor') this.checkAnchor(batch.gatewayId, batch.epoch, e.data as LedgerAnchor);
      if (e.kind.startsWith('prepaid.')) this.prepaid(batch.gatewayId, e.kind, e.data as PrepaidEvent);
      if (e.kind === 'member.erased') this.erase(batch.gatewayId, (e.data as { memberId: string }).memberId);
      if (e.kind === 'gateway.restored') void this.answerRestore(batch.gatewayId, batch.epoch, e.data as Restored);
    }
    if (this.dropAcks > 0) {
      this.dropAcks -= 1;
      return;
    }
    void this.client
      ?.publishAsync(
        cloudTopics.ack(batch.gatewayId),
        JSON.stringify({ stream: batch.stream, upTo: s.upTo, epoch: batch.epoch, ts: (this.opts.now ?? Date.now)() }),
        { qos: 1 },
      )
      .catch(() => undefined);
  }

  /**
   * [CLP-5.12] A restored database lacks what the original box sent after the backup: the money events
   * of the old epoch after the restore point, in pages of at most 1000, the first a full document and
   * the rest deltas on it (the gateway applies each event once, by id, so a repeat is harmless).
   */
  private async answerRestore(gatewayId: string, epoch: string, r: Restored): Promise<void> {
    const old = this.stream(gatewayId, 'money', r.fromEpoch);
    const after = r.restorePoints.money;
    const upTo = Math.max(after, old.upTo);
    const lost = old.events.filter((e) => e.seq > after);
    this.recoveries.push({ gatewayId, epoch, fromEpoch: r.fromEpoch, after, upTo });
    this.restoreAnswers.set(gatewayId, { epoch, fromEpoch: r.fromEpoch, after, upTo, events: lost });
    await this.sendRestore(gatewayId);
  }

  private readonly restoreAnswers = new Map<
    string,
    { epoch: string; fromEpoch: string; after: number; upTo: number; events: CloudBatch['events'] }
  >();

  private async sendRestore(gatewayId: string): Promise<void> {
    const a = this.restoreAnswers.get(gatewayId);
    if (!a) return;
    const d = this.doc(gatewayId, 'restore');
    let from = a.after;
    let first = true;
    do {
      const page = a.events.filter((e) => e.seq > from).slice(0, 1000);
      const body = { epoch: a.epoch, fromEpoch: a.fromEpoch, after: from, upTo: a.upTo, events: page };
      d.version += 1;
      d.full = body;
      if (first) await this.publishDoc(gatewayId, 'restore', 'full', d.version, body);
      else await this.publishDoc(gatewayId, 'restore', 'delta', d.version, body, d.version - 1);
      first = false;
      from = page.at(-1)?.seq ?? a.upTo;
    } while (from < a.upTo);
  }

  /**
   * Publishes a change of a document to a gateway as a delta on the current version (signed when the
   * twin has a key); the twin keeps the whole document for a full resync.
   */
  async pushDelta(gatewayId: string, doc: DocName, body: Record<string, unknown>): Promise<number> {
    const d = this.doc(gatewayId, doc);
    const base = d.version;
    d.version += 1;
    // lists accumulate (members, grants, rollouts); a setting is replaced
    for (const [k, v] of Object.entries(body))
      d.full[k] = Array.isArray(v) ? [...((d.full[k] as unknown[] | undefined) ?? []), ...v] : v;
    await this.publishDoc(gatewayId, doc, 'delta', d.version, body, base);
    return d.version;
  }

  /** The whole document at its current version. */
  async pushFull(gatewayId: string, doc: DocName): Promise<void> {
    const d = this.doc(gatewayId, doc);
    if (d.version === 0) d.version = 1;
    await this.publishDoc(gatewayId, doc, 'full', d.version, d.full);
  }

  /** Sets a member's cloud wallet and escrows `allowanceFen` of it to a gateway. */
  async grantAllowance(gatewayId: string, memberId: string, allowanceFen: number): Promise<void> {
    const left = this.wallets.get(memberId) ?? 0;
    if (allowanceFen > left) throw new Error(`wallet ${memberId} has ${left}, cannot escrow ${allowanceFen}`);
    this.wallets.set(memberId, left - allowanceFen);
    this.granted.set(`${gatewayId}/${memberId}`, (this.granted.get(`${gatewayId}/${memberId}`) ?? 0) + allowanceFen);
    await this.pushDelta(gatewayId, 'allowances', {
      grants: [{ grantId: `g-${randomBytes(6).toString('hex')}`, memberId, amountFen: allowanceFen }],
    });
  }

  /**
   * Reconciliation: what a gateway reported spending from each member's wallet against what the cloud
   * granted it. Spending beyond the grants becomes a debt, and the member's cards go on the hotlist of
   * that gateway (a cloned card, a tampered box) until the debt is settled.
   */
  async reconcile(gatewayId: string): Promise<Map<string, number>> {
    const spent = new Map<string, number>();
    // across epochs: a restored box's new epoch continues the money of the one it came from
    for (const e of this.eventsOf(gatewayId, 'money')) {
      const d = e.data as { memberId?: string; payableFen?: number; paidBy?: string; amountFen?: number };
      if (!d.memberId) continue;
      const wallet = d.paidBy === 'own' || d.paidBy === 'proxy';
      const delta =
        e.kind === 'redemption.captured' && wallet
          ? (d.payableFen ?? 0)
          : e.kind === 'redemption.reversed' && wallet
            ? -(d.payableFen ?? 0)
            : e.kind === 'allowance.released'
              ? -(d.amountFen ?? 0)
              : // a refund left the wallet like a purchase: the cloud pays it out of what it granted
                e.kind === 'prepaid.refunded'
                ? (d.amountFen ?? 0)
                : 0;
      spent.set(d.memberId, (spent.get(d.memberId) ?? 0) + delta);
    }
    const found = new Map<string, number>();
    for (const [memberId, fen] of spent) {
      const over = fen - (this.granted.get(`${gatewayId}/${memberId}`) ?? 0);
      if (over <= 0) continue;
      found.set(memberId, over);
      this.debts.set(memberId, (this.debts.get(memberId) ?? 0) + over);
      const members =
        (this.doc(gatewayId, 'catalog').full.members as { id: string; cards?: unknown[] }[] | undefined) ?? [];
      const cards = members.filter((m) => m.id === memberId).flatMap((m) => m.cards ?? []);
      if (cards.length > 0) await this.pushDelta(gatewayId, 'hotlist', { block: cards });
    }
    return found;
  }

  private doc(gatewayId: string, doc: DocName) {
    const key = `${gatewayId}/${doc}`;
    let d = this.docs.get(key);
    if (!d) {
      d = { version: 0, full: {} };
      this.docs.set(key, d);
    }
    return d;
  }

  private async publishDoc(
    gatewayId: string,
    doc: DocName,
    kind: 'full' | 'delta',
    version: number,
    body: unknown,
    base?: number,
  ): Promise<void> {
    const unsigned = {
      v: 1 as const,
      doc,
      kind,
      version,
      ...(base !== undefined ? { base } : {}),
      issuedAt: (this.opts.now ?? Date.now)(),
      body,
    };
    const msg = this.opts.signer ? signDoc(gatewayId, unsigned, this.opts.signer.kid, this.opts.signer.key) : unsigned;
    await this.client?.publishAsync(cloudTopics.down(gatewayId, doc), JSON.stringify(msg), { qos: 1 });
  }

  private async onDocAck(gatewayId: string, topic: string, payload: Buffer): Promise<void> {
    const a: DocAck | undefined = this.read(topic, 'docack', payload, DocAckSchema);
    if (!a) return;
    const d = this.doc(gatewayId, a.doc);
    // asked again (a gap, a reconnect before any of it arrived): the lost tail goes again from its start,
    // the gateway skipping what it applied; a gateway never restored is sent nothing
    if (a.doc === 'restore') {
      if (a.resync) await this.sendRestore(gatewayId);
      return;
    }
    // a gateway behind (or asking) gets the whole document
    if (a.resync || a.version < d.version) await this.pushFull(gatewayId, a.doc);
  }

  /** Online authorisation: grants from the member's cloud wallet while it lasts [CLP-6.2]. */
  private async onTopUp(gatewayId: string, topic: string, payload: Buffer): Promise<void> {
    const r: TopUpRequest | undefined = this.read(topic, 'rpc/req', payload, TopUpRequestSchema);
    if (!r) return;
    this.topUps.asked += 1;
    if (this.silent) return;
    const left = this.wallets.get(r.memberId) ?? 0;
    const ok = left >= r.amountFen;
    const res = ok
      ? {
          requestId: r.requestId,
          granted: true,
          grant: { grantId: `o-${r.requestId}`, memberId: r.memberId, amountFen: r.amountFen },
        }
      : { requestId: r.requestId, granted: false };
    if (ok) {
      this.wallets.set(r.memberId, left - r.amountFen);
      this.granted.set(
        `${gatewayId}/${r.memberId}`,
        (this.granted.get(`${gatewayId}/${r.memberId}`) ?? 0) + r.amountFen,
      );
      this.topUps.granted += 1;
    } else this.topUps.refused += 1;
    await this.client?.publishAsync(cloudTopics.rpcRes(gatewayId), JSON.stringify(res), { qos: 1 });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true).catch(() => undefined);
  }
}

/** `gateway.restored` [CLP-3.12] as the twin reads it. */
interface Restored {
  fromEpoch: string;
  restorePoints: { money: number };
}
