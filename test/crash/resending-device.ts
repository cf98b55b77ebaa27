import mqtt, { type MqttClient } from 'mqtt';
import { ResponseMessageSchema, type ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';

/** One answer a device received, with the request it answered. */
export interface Answer {
  device: string;
  txn: string;
  op: string;
  id: string;
  body: ResponseBody;
}

interface Pending {
  txn: string;
  op: string;
  body: Record<string, unknown>;
  ids: Set<string>;
  sentAt: number;
  resolve: (b: ResponseBody) => void;
}

/** What the crash test watches: every send, every transport acknowledgement, every answer. */
export interface DeviceHooks {
  sent?(d: ResendingDevice, id: string): void;
  acked?(d: ResendingDevice, id: string): void;
  answered?(d: ResendingDevice, a: Answer): void;
}

/**
 * A device as firmware must behave across a gateway crash [FWP-4.3, FWP-5.1]: one request at a time; a request
 * without an answer is sent again with a new message id and the same `txn` and body, after a reconnect (with a
 * new birth first) or after `resendMs`. Each connection is a fresh client, so nothing the old one had queued is
 * replayed before the birth.
 */
export class ResendingDevice {
  readonly answers: Answer[] = [];
  /** Refusals on down/error other than NOT_BORN (which is expected once per restart race). */
  readonly errors: unknown[] = [];
  resends = 0;
  private client: MqttClient | undefined;
  private pending: Pending | undefined;
  private n = 0;
  private seq = 0;
  private closed = false;
  private born = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly kind: DeviceKind,
    private readonly secret: string,
    private readonly url: string,
    private readonly capabilities: unknown,
    private readonly hooks: DeviceHooks,
    private readonly resendMs = 3000,
  ) {}

  start(): void {
    this.connect();
    this.timer = setInterval(() => this.resendIfLate(), 250);
  }

  /** Sends one request and resolves with its (first received) answer, however many resends it takes. */
  request(txn: string, body: Record<string, unknown>): Promise<ResponseBody> {
    if (this.pending) throw new Error(`${this.id}: one request at a time`);
    return new Promise((resolve) => {
      this.pending = { txn, op: String(body.op), body, ids: new Set(), sentAt: 0, resolve };
      if (this.born) this.sendPending();
    });
  }

  get waiting(): boolean {
    return this.pending !== undefined;
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.client?.endAsync(true).catch(() => undefined);
  }

  private connect(): void {
    if (this.closed) return;
    const will = {
      v: '1.3',
      id: `${this.id}-will`,
      ts: Date.now(),
      seq: 0,
      type: 'death',
      body: { bdSeq: 1, reason: 'lost' },
    };
    const c = mqtt.connect(this.url, {
      clientId: this.id,
      username: this.id,
      password: this.secret,
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 0,
      connectTimeout: 3000,
      resubscribe: false,
      will: { topic: topics.up(this.id, 'death'), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: false },
    });
    this.client = c;
    this.born = false;
    c.on('message', (topic, payload) => this.onMessage(topic, payload));
    c.on('connect', () => void this.onConnect(c));
    c.on('error', () => undefined);
    c.on('close', () => {
      if (this.client !== c) return;
      this.born = false;
      c.end(true);
      // back off a little, as firmware does [FWP-2.2], then a fresh connection
      setTimeout(() => this.connect(), 100);
    });
  }

  private async onConnect(c: MqttClient): Promise<void> {
    try {
      await c.subscribeAsync([topics.deviceDownlinks(this.id)], { qos: 1 });
      await this.birth(c);
    } catch {
      /* the connection died again: close reconnects */
    }
  }

  private async birth(c: MqttClient): Promise<void> {
    this.seq = 0;
    const msg = {
      v: '1.3',
      id: `${this.id}-b-${++this.n}`,
      ts: Date.now(),
      seq: 0,
      type: 'birth',
      body: { kind: this.kind, bdSeq: 1, firmware: '9.9.9', heartbeatS: 3600, capabilities: this.capabilities },
    };
    await c.publishAsync(topics.up(this.id, 'birth'), JSON.stringify(msg), { qos: 1 });
    if (this.client !== c) return;
    this.born = true;
    if (this.pending) this.sendPending();
  }

  private sendPending(): void {
    const p = this.pending;
    const c = this.client;
    if (!p || !c || !this.born) return;
    const id = `${this.id}-r-${++this.n}`;
    if (p.ids.size > 0) this.resends += 1;
    p.ids.add(id);
    p.sentAt = Date.now();
    const msg = { v: '1.3', id, ts: Date.now(), seq: ++this.seq, txn: p.txn, type: 'request', body: p.body };
    this.hooks.sent?.(this, id);
    c.publishAsync(topics.up(this.id, 'request'), JSON.stringify(msg), { qos: 1 }).then(
      () => this.hooks.acked?.(this, id),
      () => undefined,
    );
  }

  private resendIfLate(): void {
    const p = this.pending;
    if (!p || !this.born || Date.now() - p.sentAt < this.resendMs) return;
    // no answer in time: the gateway may have lost this session too, so a new birth first [FWP-8.2]
    const c = this.client;
    if (c) void this.birth(c).catch(() => undefined);
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic.endsWith('/down/error')) {
      const e = JSON.parse(payload.toString()) as { corr?: string; body: { code: string } };
      if (e.body.code === 'NOT_BORN') {
        if (this.pending && e.corr && this.pending.ids.has(e.corr) && this.client) void this.birth(this.client);
        return;
      }
      this.errors.push(e);
      return;
    }
    if (!topic.endsWith('/down/response')) return;
    // the published schema is the contract: an answer that breaks it fails the run here
    const msg = ResponseMessageSchema.parse(JSON.parse(payload.toString()));
    const a: Answer = {
      device: this.id,
      txn: msg.txn ?? '',
      op: msg.body.op ?? '',
      id: msg.corr ?? '',
      body: msg.body,
    };
    this.answers.push(a);
    this.hooks.answered?.(this, a);
    const p = this.pending;
    // an error may carry no op: then its corr names the request it answers
    if (p && p.txn === a.txn && (p.op === a.op || (a.op === '' && p.ids.has(a.id)))) {
      this.pending = undefined;
      p.resolve(a.body);
    }
  }
}
