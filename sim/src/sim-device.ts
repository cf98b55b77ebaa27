import type { EventBody } from '../../firmware-protocol/src/messages/events.ts';
import { executeCommand } from './device-commands.ts';
import { DeviceTimers } from './device-timers.ts';
import { PendingReplies } from '../../gateway/core/pending-replies.ts';
import { FlowTracker } from './flow-tracker.ts';
import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { CommandMessageSchema, type CommandMessage } from '../../firmware-protocol/src/messages/commands.ts';
import { ErrorMessageSchema, type ErrorMessage } from '../../firmware-protocol/src/messages/errors.ts';
import { GatewayStateSchema } from '../../firmware-protocol/src/messages/state.ts';
import { ResponseMessageSchema, type ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import type { RequestBody } from '../../firmware-protocol/src/messages/redemption.ts';
import { EnvelopeStamper } from '../../firmware-protocol/src/stamp.ts';
import { MessageIdSchema } from '../../firmware-protocol/src/envelope.ts';
import { topics, type UplinkChannel } from '../../firmware-protocol/src/topics.ts';
import { PROTOCOL_VERSION } from '../../firmware-protocol/src/version.ts';
import { systemClock, type Clock } from '../../gateway/core/clock.ts';
import { silentLogger, type Logger } from '../../gateway/core/log.ts';
import { sendGarbage, type GarbageKind } from './garbage.ts';
import type { AckBody, KindModel, TwinDevice } from './kinds/model.ts';
import { kindModule } from '../../devices/registry.ts';
import { fnvHash, seededRng, type Rng } from './prng.ts';
import { Backoff } from './backoff.ts';
import type { SimDeviceOptions } from './sim-device-options.ts';

export type { SimDeviceOptions } from './sim-device-options.ts';

/**
 * A simulated device that speaks the real protocol over MQTT with its own credentials: birth with
 * bdSeq and capabilities, last will, heartbeats, telemetry, command acks, rebirth on a new gateway
 * boot [FWP-8]. It can be told to fault, drop off, flap or send garbage.
 */
export class SimDevice extends EventEmitter implements TwinDevice {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly model: KindModel;
  readonly errorsReceived: ErrorMessage[] = [];
  readonly commandsReceived: CommandMessage[] = [];
  private client: MqttClient | undefined;
  private stamper: EnvelopeStamper;
  private bdSeqValue: number;
  private heartbeatS: number;
  private readonly faults = new Set<string>();
  private readonly warnings = new Set<string>();
  private readonly timers = new DeviceTimers();
  private readonly seenCommands = new Set<string>();
  private readonly backoff: Backoff;
  private readonly startedMono: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly rng: Rng;
  private gatewayBootId: string | undefined;
  private stopped = false;
  private rebirthPending = false;
  private readonly pending = new PendingReplies<ResponseBody>();
  private txnCounter = 0;
  private readonly flows = new FlowTracker();

  constructor(private readonly opts: SimDeviceOptions) {
    super();
    this.id = opts.id;
    this.kind = opts.kind;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger();
    this.rng = opts.rng ?? seededRng(fnvHash(opts.id));
    this.model = opts.model ?? twinOf(opts.kind, opts.index ?? 0);
    this.heartbeatS = opts.heartbeatS ?? 30;
    this.bdSeqValue = Math.floor(this.rng() * 1000);
    this.stamper = new EnvelopeStamper(`${opts.id}-${this.bdSeqValue}`, () => this.clock.now());
    this.backoff = new Backoff(this.rng);
    this.startedMono = this.clock.monotonic();
  }

  /** Runs one flow of this device (a vend, a deposit): the device counts as busy until it ends. */
  flow<T>(work: () => Promise<T>): Promise<T> {
    return this.flows.run(work);
  }

  /** Resolves when no flow runs on this device. */
  idle(): Promise<void> {
    return this.flows.idle();
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Whether this session's birth went out (requests before it would be refused with NOT_BORN). */
  get born(): boolean {
    return this.connected && this.bornSeq === this.bdSeqValue;
  }
  private bornSeq: number | undefined;

  get bdSeq(): number {
    return this.bdSeqValue;
  }

  /**
   * Connects and resolves once the birth is published (or rejects when the gateway refuses us). With
   * `failFast`, a broker that cannot be reached (refused, unknown host) rejects too, instead of retrying.
   */
  start(opts: { failFast?: boolean } = {}): Promise<void> {
    this.stopped = false;
    return new Promise((resolve, reject) => {
      const done = () => {
        this.off('birth', onBirth);
        this.off('auth-failed', onFail);
        this.off('unreachable', onFail);
      };
      const onBirth = () => {
        done();
        resolve();
      };
      const onFail = (err: Error) => {
        done();
        reject(err);
      };
      this.once('birth', onBirth);
      this.once('auth-failed', onFail);
      if (opts.failFast) this.once('unreachable', onFail);
      this.connect();
    });
  }

  async stop({ graceful }: { graceful: boolean } = { graceful: true }): Promise<void> {
    this.stopped = true;
    this.timers.clear();
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    if (graceful && c.connected) {
      // [FWP-8.3] DISCONNECT suppresses the will, so say goodbye explicitly first
      // [FWP-4.4] a death carries seq 0, like the will
      const death = { ...this.stamper.stamp(this.id, 'death', { bdSeq: this.bdSeqValue, reason: 'shutdown' }), seq: 0 };
      await c.publishAsync(topics.up(this.id, 'death'), JSON.stringify(death), { qos: 1 }).catch(() => undefined);
      await c.endAsync().catch(() => undefined);
    } else {
      c.stream?.destroy();
      c.end(true);
    }
  }

  /** Drops the connection without DISCONNECT (the broker publishes the will); reconnects after back-off. */
  drop(): void {
    this.client?.stream?.destroy();
  }

  /** Drops `times` times, `intervalMs` apart. */
  flap(times: number, intervalMs: number): void {
    for (let i = 0; i < times; i++) this.timers.later(i * intervalMs, () => this.drop());
  }

  setFault(code: string): void {
    this.faults.add(code);
    this.sendTelemetryNow();
  }

  clearFault(code?: string): void {
    if (code) this.faults.delete(code);
    else this.faults.clear();
    this.sendTelemetryNow();
  }

  setWarning(code: string): void {
    this.warnings.add(code);
    this.sendTelemetryNow();
  }

  clearWarning(code?: string): void {
    if (code) this.warnings.delete(code);
    else this.warnings.clear();
    this.sendTelemetryNow();
  }

  setTemperature(c: number): void {
    this.model.temperatureC = c;
    this.sendTelemetryNow();
  }

  openDoor(id?: string): boolean {
    const ok = this.model.setOpen(id, true);
    if (ok) this.sendTelemetryNow();
    return ok;
  }

  closeDoor(id?: string): boolean {
    const ok = this.model.setOpen(id, false);
    if (ok) this.sendTelemetryNow();
    return ok;
  }

  sendGarbage(kind: GarbageKind): Promise<void> {
    if (!this.client) return Promise.reject(new Error('not connected'));
    return sendGarbage(this.client, this.id, kind, this.stamper, this.opts.kind);
  }

  /** [FWP-11.7] Reports what the device observed (a door, a compartment, the tamper switch). */
  async sendEvent(body: EventBody, txn?: string): Promise<void> {
    if (!this.client?.connected) throw new Error('not connected');
    const msg = this.stamper.stamp(this.id, 'event', body, { txn });
    await this.client.publishAsync(topics.up(this.id, 'event'), JSON.stringify(msg), { qos: 1 });
  }

  sendHeartbeatNow(): void {
    void this.publish('heartbeat', 'heartbeat', { uptimeS: this.uptimeS() }).catch(() => undefined);
  }

  sendTelemetryNow(): void {
    if (!this.client?.connected) return;
    const body = {
      ...this.model.telemetry(),
      uptimeS: this.uptimeS(),
      rssiDbm: -50 - Math.floor(this.rng() * 25),
      faults: [...this.faults],
      warnings: [...this.warnings],
    };
    void this.publish('telemetry', 'telemetry', body).catch(() => undefined);
  }

  private connect(): void {
    const client = mqtt.connect(this.opts.url, {
      protocolVersion: 4,
      clientId: this.id,
      username: this.id,
      password: this.opts.secret,
      clean: true,
      keepalive: this.opts.keepaliveS ?? 30,
      reconnectPeriod: this.backoff.next(),
      connectTimeout: 10_000,
      queueQoSZero: false,
      // [FWP-3.3] our own SUBSCRIBE, awaited, before every birth: mqtt.js' automatic one after a reconnect
      // makes an explicit subscribe of the same topics resolve at once, and the birth would then race it
      resubscribe: false,
      will: this.will(),
      ...(this.opts.tls ? { ...this.opts.tls, protocol: 'mqtts' as const } : {}),
    });
    this.client = client;
    client.on('connect', () => {
      // like a device's firmware should: a request is one small packet, never held back by Nagle's algorithm
      const socket = client.stream as { setNoDelay?: (on: boolean) => void };
      socket.setNoDelay?.(true);
      void this.onConnect(client);
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err: Error & { code?: number | string }) => {
      // CONNACK 4/5: bad or revoked credentials. Do not hammer the gateway: it locks us out [FWP-2.2].
      if (err.code === 4 || err.code === 5) {
        client.options.reconnectPeriod = 30_000 + Math.floor(this.rng() * 30_000);
        this.emit('auth-failed', err);
      }
      // a socket error (ECONNREFUSED, ENOTFOUND…): nobody listens there
      if (typeof err.code === 'string') this.emit('unreachable', err);
      this.log.debug({ deviceId: this.id, err: err.message }, 'sim device error');
    });
    client.on('close', () => {
      this.timers.clear();
      this.emit('disconnected');
      if (this.stopped || this.client !== client) return;
      // [FWP-8.1] a new session gets a new bdSeq, in the will as in the birth that follows
      this.bdSeqValue = (this.bdSeqValue + 1) & 0xffff;
      client.options.will = this.will();
      if (client.options.reconnectPeriod !== undefined && client.options.reconnectPeriod < 30_000)
        client.options.reconnectPeriod = this.backoff.next();
    });
  }

  private will() {
    const msg = {
      v: PROTOCOL_VERSION,
      id: `${this.id}-will-${this.bdSeqValue}`,
      ts: this.clock.now(),
      seq: 0,
      type: 'death',
      body: { bdSeq: this.bdSeqValue, reason: 'lost' },
    };
    return {
      topic: topics.up(this.id, 'death'),
      payload: Buffer.from(JSON.stringify(msg)),
      qos: 1 as const,
      retain: false,
    };
  }

  private async onConnect(client: MqttClient): Promise<void> {
    this.backoff.reset();
    client.options.reconnectPeriod = this.backoff.next();
    this.emit('connected');
    try {
      await client.subscribeAsync([topics.deviceDownlinks(this.id), topics.gatewayState()], { qos: 1 });
      await this.birth();
    } catch (err) {
      this.log.debug({ deviceId: this.id, err }, 'sim device could not complete its birth');
      return;
    }
    this.rearmTimers();
  }

  private rearmTimers(): void {
    this.timers.clearPeriodic();
    this.timers.every(this.heartbeatS * 1000, () => this.sendHeartbeatNow());
    this.timers.every((this.opts.telemetryEveryS ?? 15) * 1000, () => {
      this.model.drift(this.rng);
      this.sendTelemetryNow();
    });
  }

  /** [FWP-8.2] the first message of every session; seq 0. */
  private async birth(): Promise<void> {
    this.stamper = new EnvelopeStamper(`${this.id}-${this.bdSeqValue}`, () => this.clock.now());
    await this.publish('birth', 'birth', {
      kind: this.kind,
      bdSeq: this.bdSeqValue,
      firmware: this.opts.firmware ?? '1.4.2-sim',
      hardware: `linli-sim-${this.kind}`,
      heartbeatS: this.heartbeatS,
      capabilities: this.model.capabilities,
    });
    this.bornSeq = this.bdSeqValue;
    this.emit('birth', this.bdSeqValue);
    this.sendTelemetryNow();
  }

  private onMessage(topic: string, payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (topic === topics.gatewayState()) return this.onGatewayState(json);
    if (topic.endsWith('/down/error')) {
      const e = ErrorMessageSchema.safeParse(json);
      if (e.success) {
        this.errorsReceived.push(e.data);
        this.emit('gateway-error', e.data);
        // [FWP-8.2] the gateway has no session for us (it restarted, or missed the birth): send it again
        if (e.data.body.code === 'NOT_BORN' && !this.rebirthPending) {
          this.rebirthPending = true;
          this.timers.later(200, () => {
            this.rebirthPending = false;
            void this.birth().catch(() => undefined);
          });
        }
      }
      return;
    }
    if (topic.endsWith('/down/command')) this.onCommand(json);
    if (topic.endsWith('/down/response')) {
      const r = ResponseMessageSchema.safeParse(json);
      if (r.success) this.pending.resolve(r.data.corr, r.data.body);
    }
  }

  /** Sparkplug rebirth: a gateway that restarted has no session for us until we send a birth again. */
  private onGatewayState(json: unknown): void {
    const s = GatewayStateSchema.safeParse(json);
    if (!s.success || s.data.state !== 'online') return;
    const previous = this.gatewayBootId;
    this.gatewayBootId = s.data.bootId;
    if (previous !== undefined && previous !== s.data.bootId) void this.birth().catch(() => undefined);
  }

  private onCommand(json: unknown): void {
    const parsed = CommandMessageSchema.safeParse(json);
    if (!parsed.success) {
      // [FWP-9.3, 2.3] a command this device does not know, or with arguments it does not take, is
      // answered "rejected" (once per id) when its id can be read; otherwise it cannot be answered at all
      const id = MessageIdSchema.safeParse((json as { id?: unknown } | null)?.id);
      if (!id.success || this.seenCommands.has(id.data)) return;
      this.seenCommands.add(id.data);
      const detail = parsed.error.issues[0]?.message ?? 'invalid command';
      const rejected: AckBody = { status: 'rejected', reason: 'E_INVALID_COMMAND', detail: detail.slice(0, 200) };
      void this.publish('ack', 'ack', rejected, { corr: id.data }).catch(() => undefined);
      return;
    }
    const cmd = parsed.data;
    // [FWP-9.3] the same command id delivered twice is carried out once
    if (this.seenCommands.has(cmd.id)) return;
    this.seenCommands.add(cmd.id);
    if (this.seenCommands.size > 500) this.seenCommands.delete(this.seenCommands.values().next().value as string);
    this.commandsReceived.push(cmd);
    this.emit('command', cmd);
    const ack = this.execute(cmd);
    void this.publish('ack', 'ack', ack, { corr: cmd.id }).catch(() => undefined);
  }

  private execute(cmd: CommandMessage): AckBody {
    return executeCommand(cmd, {
      kind: this.kind,
      model: this.model,
      uptimeS: () => this.uptimeS(),
      telemetryNow: () => this.sendTelemetryNow(),
      later: (ms, fn) => this.timers.later(ms, fn),
      setHeartbeat: (intervalS) => {
        this.heartbeatS = intervalS;
        this.timers.later(0, () => this.rearmTimers());
      },
      reboot: (delayS) => void this.reboot(delayS),
    });
  }

  /** A new transaction id for a purchase [FWP-4.3]. */
  newTxn(): string {
    this.txnCounter += 1;
    return `${this.id}-t-${this.clock.now().toString(36)}-${this.txnCounter}`;
  }

  /**
   * [FWP-5.1] Sends a request and waits for its response; on silence retries with a new message id and
   * the same txn (at most 3 tries), so the gateway carries the operation out once.
   */
  async request(body: RequestBody, txn: string, timeoutMs = 5000): Promise<ResponseBody> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!this.client?.connected) throw new Error('not connected');
      const msg = this.stamper.stamp(this.id, 'request', body, { txn });
      const answer = this.pending.wait(msg.id, timeoutMs);
      await this.client.publishAsync(topics.up(this.id, 'request'), JSON.stringify(msg), { qos: 1 });
      const r = await answer;
      if (r) return r;
      // [FWP-5.1] back off before the retry, so a struggling gateway is not hammered
      await new Promise((res) => setTimeout(res, 250 * 2 ** attempt + Math.floor(this.rng() * 250)));
    }
    throw new Error(`no response to ${body.op} (txn ${txn})`);
  }

  private async reboot(delayS: number): Promise<void> {
    await this.stop({ graceful: true });
    this.bdSeqValue = (this.bdSeqValue + 1) & 0xffff;
    this.stopped = false;
    setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delayS * 1000).unref();
  }

  private publish(channel: UplinkChannel, type: string, body: unknown, extra: { corr?: string } = {}): Promise<void> {
    if (!this.client?.connected) return Promise.reject(new Error('not connected'));
    return this.publishOn(this.client, channel, type, body, extra);
  }

  private async publishOn(
    c: MqttClient,
    channel: UplinkChannel,
    type: string,
    body: unknown,
    extra: { corr?: string } = {},
  ): Promise<void> {
    const msg = this.stamper.stamp(this.id, type, body, extra);
    await c.publishAsync(topics.up(this.id, channel), JSON.stringify(msg), {
      qos: channel === 'heartbeat' || channel === 'telemetry' ? 0 : 1,
    });
  }

  private uptimeS(): number {
    return Math.floor((this.clock.monotonic() - this.startedMono) / 1000);
  }
}

/** The registry's simulator twin of a kind. */
function twinOf(kind: string, index: number): KindModel {
  const m = kindModule(kind);
  if (!m) throw new Error(`no device kind "${kind}" to simulate`);
  return m.sim.model(index);
}
