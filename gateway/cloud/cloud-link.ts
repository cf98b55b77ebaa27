import { readFileSync } from 'node:fs';
import { readSecretFile } from '../security/secret-files.ts';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { CloudConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { WriterPort } from '../redemption/service/ports.ts';
import { randomBytes } from 'node:crypto';
import { PendingReplies } from '../core/pending-replies.ts';
import { DOC_NAMES, type DocAck } from './contract/documents.ts';
import {
  CloudAckSchema,
  TopUpResponseSchema,
  type CloudAck,
  type CloudBatch,
  type CloudGatewayState,
  type Grant,
  type TopUpRequest,
} from './contract/envelopes.ts';
import { DROPPABLE, STREAMS, type Stream } from './contract/streams.ts';
import { cloudTopics } from './contract/topics.ts';
import type { DocSync } from './doc-sync.ts';
import type { OutboxRepo } from './outbox-repo.ts';

export interface CloudLinkStatus {
  enabled: boolean;
  connected: boolean;
  session: number;
  reconnects: number;
  lastConnectedAt: number | null;
  lastAckAt: number | null;
  backlog: { stream: string; events: number; bytes: number; oldestAt: number | null; dropped: number }[];
  overBudget: boolean;
}

interface InFlight {
  to: number;
  sentAtMono: number;
}

/**
 * The gateway as an edge client of the cloud's MQTT broker (CLOUD-PROTOCOL.md). The outbox is the queue:
 * a batch leaves it only when the cloud acknowledged it, so nothing is lost while offline and nothing
 * depends on mqtt.js's own in-memory queue (never used: we publish only while connected). One batch per
 * stream is in flight, so each stream arrives in order; streams take turns, so a telemetry backlog never
 * holds up money [CLP-3.5]. Batches are paced (`batchesPerSecond`) so a drain after an outage cannot flood
 * either side. Reconnects back off exponentially with full jitter [CLP-1.3] (mqtt.js's fixed reconnect
 * period is switched off).
 */
export class CloudLink {
  private client: MqttClient | undefined;
  private connected = false;
  private stopped = true;
  private attempt = 0;
  private session = 0;
  private reconnects = 0;
  private lastConnectedAt: number | null = null;
  private connectedAtWall = 0;
  private lastAckAt: number | null = null;
  private readonly inflight = new Map<Stream, InFlight>();
  private turn = 0;
  private pumpTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private overBudget = false;
  private lastBudgetCheck = -Infinity;

  constructor(
    private readonly d: {
      config: CloudConfig;
      gatewayId: string;
      bootId: string;
      outbox: OutboxRepo;
      writer: WriterPort;
      clock: Clock;
      log: Logger;
      random?: () => number;
      /** Raised when the outbox is over its disk budget with events that may not be dropped. */
      onBudget?(over: boolean, bytes: number): void;
      /** Applies the cloud's documents; set when the gateway takes documents from the cloud. */
      docs?: DocSync;
      /** The cloud's time from its acknowledgements: a hint for the clock health. */
      onTimeHint?(cloudMs: number): void;
      /** A restored database still lacks part of the `restore` document: asked for whole on every connect. */
      restorePending?(): boolean;
    },
  ) {}

  private readonly pendingRpc = new PendingReplies<{ granted: boolean; grant?: Grant | undefined }>();

  /** Tells the cloud what a document's version is here (and asks for a full one on a gap) [CLP-5.4]. */
  docAck(a: DocAck): void {
    if (!this.connected || !this.client) return; // announced again on the next connect
    this.client
      .publishAsync(cloudTopics.docAck(this.d.gatewayId), JSON.stringify(a), { qos: 1 })
      .catch(() => undefined);
  }

  /**
   * Online authorisation beyond the allowance [CLP-6.1]: asks the cloud to top it up and waits at most
   * `onlineAuthTimeoutMs`. Offline, or on silence or refusal, it answers false at once or at the
   * timeout: the purchase then gets the offline limit (the allowance held here).
   */
  async requestTopUp(memberId: string, amountFen: number): Promise<boolean> {
    const client = this.client;
    if (!this.connected || !client) return false;
    const requestId = `tu-${randomBytes(8).toString('hex')}`;
    const request: TopUpRequest = { requestId, op: 'topup', memberId, amountFen };
    const answer = this.pendingRpc.wait(requestId, this.d.config.onlineAuthTimeoutMs);
    // never wait for the PUBACK: with a persistent session mqtt.js keeps an unacknowledged publish
    // pending across a dropped link, and a payment must not wait on that; the timeout above bounds it
    void client
      .publishAsync(cloudTopics.rpcReq(this.d.gatewayId), JSON.stringify(request), { qos: 1 })
      .catch(() => undefined);
    const r = await answer;
    if (!r?.granted || !r.grant || r.grant.memberId !== memberId || !this.d.docs) return false;
    // a grant over the member's stored-value cap is refused here and reported [CLP-4.14]: no top-up then
    return this.d.docs.applyGrant(r.grant);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    const every = Math.max(5, Math.floor(1000 / this.d.config.batchesPerSecond));
    this.pumpTimer = setInterval(() => this.pump(), every);
    this.pumpTimer.unref();
  }

  /** Announces offline (retained) [CLP-1.5] and disconnects; what was not acknowledged stays in the outbox. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pumpTimer) clearInterval(this.pumpTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    if (this.connected) {
      const said = c
        .publishAsync(cloudTopics.state(this.d.gatewayId), JSON.stringify(this.stateMessage('offline')), {
          qos: 1,
          retain: true,
        })
        .catch(() => undefined);
      await Promise.race([said, new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    this.connected = false;
    await c.endAsync().catch(() => undefined);
  }

  status(): CloudLinkStatus {
    return {
      enabled: true,
      connected: this.connected,
      session: this.session,
      reconnects: this.reconnects,
      lastConnectedAt: this.lastConnectedAt,
      lastAckAt: this.lastAckAt,
      backlog: this.d.outbox.backlog(),
      overBudget: this.overBudget,
    };
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** [CLP-1.5] The retained availability; the will carries the offline one made when the connection is set up. */
  private stateMessage(state: CloudGatewayState['state']): CloudGatewayState {
    return { state, session: this.session, bootId: this.d.bootId, ts: this.d.clock.now() };
  }

  private options(): IClientOptions {
    const c = this.d.config;
    const read = (f: string | undefined) => (f ? readFileSync(f) : undefined);
    const password = c.passwordFile ? readSecretFile(c.passwordFile, 'cloud.passwordFile') : undefined;
    const ca = read(c.caFile);
    const cert = read(c.certFile);
    const key = read(c.keyFile);
    // [CLP-1.1] [CLP-1.2] identity and session
    return {
      clientId: `linli-gw-${this.d.gatewayId}`,
      protocolVersion: c.protocolVersion,
      // a persistent session: acks the cloud sends while we are away wait for us at the broker
      clean: false,
      ...(c.protocolVersion === 5 ? { properties: { sessionExpiryInterval: c.sessionExpiryS } } : {}),
      keepalive: c.keepaliveS,
      reconnectPeriod: 0, // we reconnect ourselves, with back-off and jitter
      connectTimeout: 10_000,
      queueQoSZero: false,
      ...(c.username ? { username: c.username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      will: {
        topic: cloudTopics.state(this.d.gatewayId),
        payload: Buffer.from(JSON.stringify(this.stateMessage('offline'))),
        qos: 1,
        retain: true,
      },
    };
  }

  private connect(): void {
    if (this.stopped) return;
    this.session = this.d.outbox.nextSession();
    let client: MqttClient;
    try {
      client = mqtt.connect(this.d.config.url, this.options());
    } catch (err) {
      this.d.log.error({ err }, 'cloud connection could not be set up');
      this.scheduleReconnect();
      return;
    }
    this.client = client;
    client.on('connect', () => void this.onConnect(client));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    // one warning per outage, not one per attempt
    client.on('error', (err) =>
      this.attempt <= 1
        ? this.d.log.warn({ err: err.message }, 'cloud connection error; retrying with back-off')
        : this.d.log.debug({ err: err.message, attempt: this.attempt }, 'cloud connection error'),
    );
    client.on('close', () => {
      if (this.client !== client) return;
      const was = this.connected;
      this.connected = false;
      this.inflight.clear();
      if (was) this.d.log.warn('cloud connection lost; events wait in the outbox');
      client.removeAllListeners('close');
      client.end(true);
      this.client = undefined;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const c = this.d.config;
    // full jitter: a fleet of gateways coming back after a broker outage spreads out
    const ceiling = Math.min(c.reconnectMaxMs, c.reconnectMinMs * 2 ** Math.min(this.attempt, 30));
    const delay = Math.max(c.reconnectMinMs / 2, Math.floor((this.d.random ?? Math.random)() * ceiling));
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnects += 1;
      this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  /** [CLP-1.4] Session set-up: subscriptions, then the online state, then what we hold of every document. */
  private async onConnect(client: MqttClient): Promise<void> {
    try {
      await client.subscribeAsync(
        [
          cloudTopics.ack(this.d.gatewayId),
          cloudTopics.rpcRes(this.d.gatewayId),
          ...(this.d.docs ? [cloudTopics.downAll(this.d.gatewayId)] : []),
        ],
        { qos: 1 },
      );
      await client.publishAsync(cloudTopics.state(this.d.gatewayId), JSON.stringify(this.stateMessage('online')), {
        qos: 1,
        retain: true,
      });
    } catch (err) {
      this.d.log.warn({ err }, 'cloud session setup failed');
      client.end(true);
      return;
    }
    if (this.client !== client) return;
    this.connected = true;
    // the back-off starts over only once the link has held: a broker that accepts and then drops us
    // (a duplicate client id, a refused subscription) is not hammered every second
    setTimeout(() => {
      if (this.client === client && this.connected) this.attempt = 0;
    }, 30_000).unref();
    this.connectedAtWall = this.d.clock.now();
    this.lastConnectedAt = this.connectedAtWall;
    this.inflight.clear();
    this.d.log.info({ session: this.session, backlog: this.d.outbox.backlog() }, 'connected to the cloud');
    // say what we hold of every document; a gateway that holds nothing asks for full ones
    const docs = this.d.docs;
    if (docs)
      for (const doc of DOC_NAMES)
        this.docAck({
          doc,
          version: docs.version(doc),
          // [CLP-5.12] a page of the lost tail that never came is asked for again, whatever version is held
          resync: docs.version(doc) === 0 || (doc === 'restore' && this.d.restorePending?.() === true),
        });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === cloudTopics.rpcRes(this.d.gatewayId)) {
      let raw: unknown;
      try {
        raw = JSON.parse(payload.toString('utf8'));
      } catch {
        return;
      }
      const r = TopUpResponseSchema.safeParse(raw);
      if (!r.success) return;
      if (this.pendingRpc.resolve(r.data.requestId, { granted: r.data.granted, grant: r.data.grant })) return;
      if (r.data.granted && r.data.grant && this.d.docs) {
        // answered after our timeout: the cloud already set the money aside, so it is credited (once, by grant id)
        this.d.docs
          .applyGrant(r.data.grant)
          .catch((err: unknown) => this.d.log.error({ err }, 'late grant not credited'));
      }
      return;
    }
    if (this.d.docs && topic.startsWith(cloudTopics.down(this.d.gatewayId, ''))) {
      this.d.docs.handle(payload).catch((err: unknown) => this.d.log.error({ err, topic }, 'cloud document failed'));
      return;
    }
    if (topic !== cloudTopics.ack(this.d.gatewayId)) return;
    // [CLP-3.7] a malformed ack is ignored (the batch is sent again after ackTimeoutS)
    let ack: CloudAck;
    try {
      ack = CloudAckSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch (err) {
      this.d.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'malformed ack from the cloud ignored',
      );
      return;
    }
    const { stream } = ack;
    // [CLP-3.12] an epoch this database was restored from is acknowledged up to its restore point only: the
    // cloud may hold more of it (the original box's), and those seqs here are the new epoch's
    const ceiling = this.d.outbox.ackCeiling(ack.epoch ?? this.d.outbox.epoch, stream);
    if (ceiling === undefined) return; // for a database this one replaced
    const f0 = this.inflight.get(stream);
    // never acknowledge more than was sent: an ack from a confused cloud must not delete unsent events
    const upTo = Math.min(ack.upTo, ceiling, f0?.to ?? this.d.outbox.ackedSeq(stream));
    if (ack.ts !== undefined) this.d.onTimeHint?.(ack.ts);
    this.lastAckAt = this.d.clock.now();
    void this.d.writer
      .submit(() => this.d.outbox.acknowledge(stream, upTo))
      .then(() => {
        const f = this.inflight.get(stream);
        if (f && upTo >= f.to) this.inflight.delete(stream);
      })
      .catch((err: unknown) => this.d.log.error({ err, stream }, 'could not record a cloud ack'));
  }

  /** Sends at most one batch per call, taking the streams in turn [CLP-3.5]. */
  private pump(): void {
    this.checkBudget();
    const client = this.client;
    if (!this.connected || !client) return;
    const now = this.d.clock.monotonic();
    for (let i = 0; i < STREAMS.length; i++) {
      const stream = STREAMS[(this.turn + i) % STREAMS.length] as Stream;
      const f = this.inflight.get(stream);
      if (f && now - f.sentAtMono < this.d.config.ackTimeoutS * 1000) continue;
      const after = this.d.outbox.ackedSeq(stream);
      const read = this.d.outbox.after(stream, after, this.d.config.batchMax);
      // one epoch per batch: a restored database's unsent events go first, under their own epoch [CLP-3.12]
      const epoch = read[0]?.epoch ?? this.d.outbox.epoch;
      const cut = read.findIndex((e) => e.epoch !== epoch);
      const events = cut === -1 ? read : read.slice(0, cut);
      const base = this.d.outbox.baseOf(epoch, stream);
      if (events.length === 0) {
        this.inflight.delete(stream);
        continue;
      }
      const batch: CloudBatch = {
        v: 1,
        gatewayId: this.d.gatewayId,
        stream,
        epoch,
        ...(base !== undefined ? { base } : {}),
        after,
        dropped: this.d.outbox.droppedCount(stream),
        events: events.map((e) => ({
          id: e.id,
          seq: e.seq,
          kind: e.kind,
          at: e.at,
          historical: e.at < this.connectedAtWall, // [CLP-3.9]
          data: e.data,
        })),
      };
      const last = events[events.length - 1];
      if (!last) continue;
      if (f)
        this.d.log.info({ stream, from: after + 1, to: last.seq }, 'cloud batch not acknowledged in time: sent again');
      this.inflight.set(stream, { to: last.seq, sentAtMono: now });
      this.turn = (this.turn + i + 1) % STREAMS.length;
      client
        .publishAsync(cloudTopics.up(this.d.gatewayId, stream), JSON.stringify(batch), { qos: 1 })
        .catch((err: unknown) => {
          this.d.log.debug({ err, stream }, 'cloud publish failed; the outbox keeps the events');
          this.inflight.delete(stream);
        });
      return;
    }
  }

  private telemetryPeriods = 0;

  /**
   * Down-sampling before dropping [CLP-3.8]: while the backlog fills the disk budget, only every 4th (past
   * half the budget) or 16th (past 80 %) periodic telemetry summary is written at all.
   */
  sampleTelemetry(): boolean {
    const fill = this.d.outbox.bytes() / (this.d.config.outboxBudgetMb * 1024 * 1024);
    const stride = fill > 0.8 ? 16 : fill > 0.5 ? 4 : 1;
    this.telemetryPeriods += 1;
    return this.telemetryPeriods % stride === 0;
  }

  private checkBudget(): void {
    const mono = this.d.clock.monotonic();
    if (mono - this.lastBudgetCheck < 5000) return;
    this.lastBudgetCheck = mono;
    this.enforceBudget();
    this.reportInvalidEvents();
  }

  private invalidReported = 0;

  /** Events that break the contract are a bug of this gateway: said loudly, at most once per check. */
  private reportInvalidEvents(): void {
    const invalid = this.d.outbox.invalidEvents();
    if (invalid.total === this.invalidReported) return;
    this.d.log.error(
      { new: invalid.total - this.invalidReported, byKind: invalid.byKind, last: invalid.last },
      'events that break the cloud contract (CLOUD-PROTOCOL.md) were written: sent all the same',
    );
    this.invalidReported = invalid.total;
  }

  /**
   * Past the disk budget: telemetry is dropped oldest first
   * (counted); money, access, parcels and health never [CLP-3.8].
   */
  enforceBudget(): void {
    const budget = this.d.config.outboxBudgetMb * 1024 * 1024;
    let bytes = this.d.outbox.bytes();
    if (bytes > budget) {
      // only as much old telemetry as the budget needs, in one pass
      for (const s of DROPPABLE) if (bytes > budget) this.d.outbox.dropOldestBytes(s, bytes - budget);
      bytes = this.d.outbox.bytes();
    }
    const over = bytes > budget;
    if (over !== this.overBudget) {
      this.overBudget = over;
      if (over)
        this.d.log.fatal(
          { bytes, budget },
          'cloud outbox over its disk budget with events that are never dropped (money, access, parcels): keeping them',
        );
      else this.d.log.info({ bytes, budget }, 'cloud outbox back under its disk budget');
      this.d.onBudget?.(over, bytes);
    }
  }
}
