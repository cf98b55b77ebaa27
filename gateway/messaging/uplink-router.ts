import { decodeUplink, readMessageId } from '../../firmware-protocol/src/decode.ts';
import { ERROR_DISPLAY } from '../../firmware-protocol/src/error-display.ts';
import { TokenBucketLimiter } from '../../broker/src/limits/rate-limit.ts';
import type { DeviceLimits } from '../config/schema.ts';
import { LogLimiter, limitedLogger, type LimitedLogger } from '../core/log-limiter.ts';
import { parseTopic } from '../../firmware-protocol/src/topics.ts';
import { SUPPORTED_MAJORS } from '../../firmware-protocol/src/version.ts';
import type { UplinkMessage } from '../../firmware-protocol/src/messages/index.ts';
import type { Logger } from '../core/log.ts';
import type { CommandService } from '../commands/command-service.ts';
import type { DeviceMonitor } from '../health/device-monitor.ts';
import type { LiveDevice } from '../health/live-device.ts';
import type { Downlink } from './downlink.ts';
import { kindModule } from '../../devices/registry.ts';

interface UplinkRouterDeps {
  log: Logger;
  /** [FWP-5.3] What one device may send per second. */
  limits: DeviceLimits;
  monitor: DeviceMonitor;
  commands: CommandService;
  downlink: Downlink;
  /** Finds a device provisioned by another process a moment ago, before the registry watcher did. */
  discover(deviceId: string): LiveDevice | undefined;
  /** [FWP-11.2] Redemption requests; answered on the device's response topic. */
  onRequest?(live: LiveDevice, msg: Extract<UplinkMessage, { type: 'request' }>): Promise<void>;
  /** [FWP-11.7] Confirmed states from devices (doors, compartments, tamper). */
  onEvent?(live: LiveDevice, msg: Extract<UplinkMessage, { type: 'event' }>): Promise<void>;
  /** Every accepted telemetry report, after health saw it (a kind's part may act on it: cut a socket). */
  onTelemetry?(live: LiveDevice, body: Extract<UplinkMessage, { type: 'telemetry' }>['body']): void;
  /** The merchant staff bound the device to, if any. */
  merchantOf(deviceId: string): string | null;
  /** Persists what a birth tells about the device (capabilities, firmware). */
  recordBirth(deviceId: string, capabilities: unknown, firmware: string): void;
  /** A health finding the router itself raises (a scanner configured for another shop), or clears. */
  setFinding?(
    deviceId: string,
    key: string,
    finding: { severity: 'fault' | 'degraded'; code: string; message: string } | undefined,
  ): void;
}

/**
 * Every device uplink goes through here as a list of named steps: route the topic, check the version,
 * decode and validate, drop duplicates, require a birth, dispatch. A bad message gets a coded error on
 * the device's error topic [FWP-6.1] and is logged; nothing a device sends can throw out of `handle`.
 */
/** [FWP-5.2] Error replies (on down/error, or RATE_LIMITED responses) per device per minute; the rest are counted. */
export const REFUSALS_PER_MINUTE = 20;
const MAX_DEVICES_TRACKED = 10_000;

export class UplinkRouter {
  private readonly refusals = new Map<string, { since: number; count: number; suppressed: number }>();
  /**
   * Heartbeats, telemetry and anything unknown; events and acks
   * have their own, so a telemetry flood never starves them.
   */
  private readonly messageBudget: TokenBucketLimiter;
  private readonly flowBudget: TokenBucketLimiter;
  private readonly requestBudget: TokenBucketLimiter;
  /** One firmware looping garbage writes a few lines a minute, then a summary. */
  private readonly lines: LimitedLogger;

  constructor(private readonly deps: UplinkRouterDeps) {
    const now = () => deps.monitor.now();
    const { limits } = deps;
    const messages = {
      capacity: limits.messageBurst,
      refillMs: (limits.messageBurst / limits.messagesPerSecond) * 1000,
      maxKeys: MAX_DEVICES_TRACKED,
    };
    this.messageBudget = new TokenBucketLimiter(messages, now);
    this.flowBudget = new TokenBucketLimiter(messages, now);
    this.requestBudget = new TokenBucketLimiter(
      {
        capacity: limits.requestBurst,
        refillMs: (limits.requestBurst / limits.requestsPerSecond) * 1000,
        maxKeys: MAX_DEVICES_TRACKED,
      },
      now,
    );
    this.lines = limitedLogger(
      deps.log,
      new LogLimiter({ perKey: 5, total: 200, windowMs: 60_000, maxKeys: MAX_DEVICES_TRACKED }, now),
    );
  }

  /** Writes the summaries of suppressed lines; the gateway calls it from its ticker. */
  sweepLogs(): void {
    this.lines.sweep();
  }

  handle(topic: string, payload: Buffer): void {
    try {
      this.route(topic, payload);
    } catch (err) {
      this.deps.log.error({ err, topic }, 'uplink handling failed');
      const t = parseTopic(topic);
      const live = t?.scope === 'device' ? this.deps.monitor.get(t.deviceId) : undefined;
      if (live && this.mayReply(live)) void this.deps.downlink.error(live.id, 'INTERNAL_ERROR', { topic });
    }
  }

  private route(topic: string, payload: Buffer): void {
    const { log, monitor } = this.deps;
    const t = parseTopic(topic);
    if (t?.scope !== 'device' || t.direction !== 'up') return;
    const live = monitor.get(t.deviceId) ?? this.deps.discover(t.deviceId);
    if (!live) return; // the ACL admits only provisioned devices; one removed a moment ago is ignored
    // [FWP-5.3] before anything costs work: a device over its message budget slows only itself. Births
    // and deaths are never dropped (the connection rate bounds them); events and acks, which settle
    // parcels and commands, draw on a budget of their own
    const budget =
      t.channel === 'birth' || t.channel === 'death'
        ? undefined
        : t.channel === 'event' || t.channel === 'ack'
          ? this.flowBudget
          : this.messageBudget;
    if (budget && !budget.take(live.id)) {
      live.rateLimited += 1;
      this.refuse(live, 'RATE_LIMITED', topic, {
        message: `more than ${this.deps.limits.messagesPerSecond} messages a second; this one was dropped`,
      });
      return;
    }
    if (!SUPPORTED_MAJORS.includes(t.major)) {
      // [FWP-2.4] answer on the device's own major so it can read the refusal, with the id it used
      this.refuse(live, 'UNSUPPORTED_PROTOCOL_VERSION', topic, {
        message: `protocol major ${t.major} is not supported; supported: ${SUPPORTED_MAJORS.join(', ')}`,
        supportedMajors: [...SUPPORTED_MAJORS],
        major: t.major,
        corr: readMessageId(payload),
      });
      return;
    }
    if (!t.channel) {
      // [FWP-6.1] the error answers the refused message: its id as corr whenever it can be read
      this.refuse(live, 'UNKNOWN_CHANNEL', topic, {
        message: `"${t.rawChannel}" is not an uplink channel`,
        corr: readMessageId(payload),
      });
      return;
    }
    const decoded = decodeUplink(t.channel, payload);
    if (!decoded.ok) {
      this.refuse(live, decoded.code, topic, {
        message: decoded.message,
        corr: decoded.corr,
        issues: decoded.issues,
        supportedMajors: decoded.supportedMajors,
      });
      return;
    }
    const msg = decoded.message;
    if (msg.type === 'birth') return this.onBirth(live, msg, topic);
    if (msg.type === 'death') {
      const applied = monitor.death(live.id, msg.body.bdSeq, msg.body.reason);
      log.debug({ deviceId: live.id, bdSeq: msg.body.bdSeq, applied }, applied ? 'death' : 'stale death ignored');
      return;
    }
    if (!live.dedup.firstSeen(msg.id)) {
      live.duplicates += 1;
      return; // [FWP-4.2] a transport duplicate: already handled
    }
    if (!live.born) {
      this.refuse(live, 'NOT_BORN', topic, {
        corr: msg.id,
        message: 'publish a birth first (the gateway has no session for this device)',
      });
      return;
    }
    live.trackSeq(msg.seq);
    monitor.seen(live.id);
    this.dispatch(live, msg, topic);
  }

  private onBirth(live: LiveDevice, msg: Extract<UplinkMessage, { type: 'birth' }>, topic: string): void {
    // [FWP-4.2] a redelivered birth of the current session is a duplicate, not a new session
    if (live.born && live.bdSeq === msg.body.bdSeq && !live.dedup.firstSeen(msg.id)) {
      live.duplicates += 1;
      return;
    }
    if (msg.body.kind !== live.kind) {
      this.refuse(live, 'DEVICE_KIND_MISMATCH', topic, {
        corr: msg.id,
        message: `${live.id} is provisioned as ${live.kind}, birth says ${msg.body.kind}`,
      });
      return;
    }
    const bound = this.deps.merchantOf(live.id);
    // a kind sold for a bound merchant may claim another in its birth: staff's binding wins
    const claimed = kindModule(live.kind)?.claimedMerchant?.(msg.body.capabilities);
    const mismatch = claimed !== undefined && bound !== null && claimed !== bound;
    this.deps.monitor.birth(live.id, msg);
    // [FWP-8.2] the birth stands (refusing it made every request NOT_BORN, and a rebirth loop): the
    // scanner sells for the shop staff bound it to, whatever it claims; staff see the misconfiguration
    this.deps.setFinding?.(
      live.id,
      'MERCHANT_MISMATCH',
      mismatch
        ? {
            severity: 'degraded',
            code: 'MERCHANT_MISMATCH',
            message:
              `configured for merchant ${claimed ?? '?'}, ` + `bound to ${bound ?? '?'}: it sells for ${bound ?? '?'}`,
          }
        : undefined,
    );
    if (mismatch)
      this.refuse(live, 'MERCHANT_MISMATCH', topic, {
        corr: msg.id,
        message:
          `${live.id} is bound to merchant ${bound}; ` +
          `the birth's merchantId is ignored and its sales go to ${bound}`,
      });
    live.dedup.firstSeen(msg.id);
    this.deps.recordBirth(live.id, msg.body.capabilities, msg.body.firmware);
    this.deps.log.info({ deviceId: live.id, bdSeq: msg.body.bdSeq, firmware: msg.body.firmware }, 'device birth');
  }

  private dispatch(live: LiveDevice, msg: UplinkMessage, topic: string): void {
    switch (msg.type) {
      case 'heartbeat':
        return;
      case 'telemetry':
        if (msg.body.kind !== live.kind) {
          this.refuse(live, 'DEVICE_KIND_MISMATCH', topic, {
            corr: msg.id,
            message: `telemetry of a ${msg.body.kind}, device is a ${live.kind}`,
          });
          return;
        }
        this.deps.monitor.telemetry(live.id, msg.body);
        this.deps.onTelemetry?.(live, msg.body);
        return;
      case 'request':
        if (!this.deps.onRequest) {
          this.refuse(live, 'UNKNOWN_MESSAGE_TYPE', topic, {
            corr: msg.id,
            message: 'this gateway does not serve redemption requests',
          });
          return;
        }
        if (!this.requestBudget.take(live.id)) {
          live.rateLimited += 1;
          this.refuseRequest(live, msg, topic);
          return;
        }
        this.deps
          .onRequest(live, msg)
          .catch((err: unknown) => this.deps.log.error({ err, deviceId: live.id }, 'request handling failed'));
        return;
      case 'event':
        if (!this.deps.onEvent) return;
        this.deps
          .onEvent(live, msg)
          .catch((err: unknown) => this.deps.log.error({ err, deviceId: live.id }, 'event handling failed'));
        return;
      case 'ack':
        {
          const cmd = this.deps.commands.ack(live.id, msg);
          if (!cmd)
            this.deps.log.debug(
              { deviceId: live.id, corr: msg.corr },
              'ack for no pending command (late or duplicate)',
            );
          // the device now promises heartbeats at the new interval: time it out by that [FWP-8.4]
          else if (cmd.name === 'set_heartbeat' && msg.body.status === 'done') live.heartbeatS = cmd.args.intervalS;
        }
        return;
      default:
        return;
    }
  }

  /**
   * Answers and logs a refused message, at most REFUSALS_PER_MINUTE per device: a firmware looping
   * garbage must not fill the disk with logs or the link with errors. The rest are only counted.
   */
  private refuse(
    live: LiveDevice,
    code: Parameters<Downlink['error']>[1],
    topic: string,
    detail: Parameters<Downlink['error']>[2],
  ): void {
    live.badMessages += 1;
    if (!this.mayReply(live)) return;
    this.lines.warn(
      `refused:${live.id}:${code}`,
      { deviceId: live.id, code, topic, reason: detail.message },
      'refused a device message',
    );
    void this.deps.downlink.error(live.id, code, { ...detail, topic });
  }

  /**
   * [FWP-5.3] A request over the budget is answered (the device waits for it) with RATE_LIMITED, within the reply cap.
   */
  private refuseRequest(live: LiveDevice, msg: Extract<UplinkMessage, { type: 'request' }>, topic: string): void {
    if (!this.mayReply(live)) return;
    this.lines.warn(
      `refused:${live.id}:RATE_LIMITED`,
      { deviceId: live.id, code: 'RATE_LIMITED', topic, op: msg.body.op },
      "request over the device's budget refused",
    );
    const body = {
      status: 'error' as const,
      op: msg.body.op,
      code: 'RATE_LIMITED',
      message:
        `more than ${this.deps.limits.requestsPerSecond} requests a second ` +
        `(burst ${this.deps.limits.requestBurst}); retry with back-off`,
      display: ERROR_DISPLAY.RATE_LIMITED,
    };
    this.deps.downlink
      .send(live.id, 'response', 'response', body, { corr: msg.id, txn: msg.txn })
      .catch((err: unknown) => this.deps.log.debug({ err, deviceId: live.id }, 'rate-limit answer not sent'));
  }

  /**
   * [FWP-5.2] At most REFUSALS_PER_MINUTE error replies per device a minute: a firmware looping garbage
   * must not fill the link with errors. The rest are only counted (and summarised in the log).
   */
  private mayReply(live: LiveDevice): boolean {
    const now = this.deps.monitor.now();
    const w = this.refusals.get(live.id);
    if (!w || now - w.since >= 60_000) {
      if (w && w.suppressed > 0)
        this.deps.log.warn(
          { deviceId: live.id, suppressed: w.suppressed },
          'error replies not sent to a device in the last minute (over the cap)',
        );
      this.refusals.set(live.id, { since: now, count: 1, suppressed: 0 });
      return true;
    }
    if (w.count >= REFUSALS_PER_MINUTE) {
      w.suppressed += 1;
      return false;
    }
    w.count += 1;
    return true;
  }
}
