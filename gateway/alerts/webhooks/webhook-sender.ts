import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { AlertNotice, AlertTransition } from '../alert-types.ts';
import type { AlertWebhooksConfig, AlertWebhookTarget } from './webhook-config.ts';
import { buildWebhookRequest, readWebhookAnswer, type WebhookAnswer } from './webhook-formats.ts';

/** One-shot timers, injected because Clock only has periodic work and tests must not wait real seconds. */
export interface WebhookTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: WebhookTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** How one target fares, for /healthz and metrics. */
export interface AlertWebhookStats {
  name: string;
  format: AlertWebhookTarget['format'];
  host: string;
  sent: number;
  failedAttempts: number;
  gaveUp: number;
  dropped: number;
  deduplicated: number;
  queued: number;
  lastError: string | null;
  lastSuccessAt: number | null;
}

interface Delivery {
  notice: AlertNotice;
  key: KeyState;
  attempts: number;
  /** Waiting or being sent: a repeat of it is never queued, however long the chat is away. */
  pending: boolean;
  /** Monotonic ms its dedupe window counts from: when it was queued, then when it was delivered. */
  windowFrom: number;
}

/**
 * What one target has been told about one alert key. Repeats are held back rather than dropped outright,
 * so that a flapping alert cannot leave the chat's last word about it different from its latest transition.
 */
interface KeyState {
  /** The newest message queued for the key: what the chat will show last once the queue drains. */
  last: Delivery | undefined;
  /** Each transition's newest message; the transition is not sent again until its window has passed. */
  recent: Map<AlertTransition, Delivery>;
  /** Messages of the key waiting or being sent; while there are any the state must outlive its window. */
  queued: number;
  /** The newest notice held back as a repeat: sent when its window ends unless the chat shows it by then. */
  held: AlertNotice | undefined;
  heldTimer: unknown;
}

interface TargetState {
  target: AlertWebhookTarget;
  stats: AlertWebhookStats;
  waiting: Delivery[];
  /** The message being sent or waiting to be retried: one per target, so a chat sees alerts in order. */
  current: Delivery | undefined;
  inflight: Promise<void> | undefined;
  abort: AbortController | undefined;
  retryTimer: unknown;
  /** Alert key → what this target has been told; forgotten once its windows pass with nothing pending. */
  keys: Map<string, KeyState>;
}

const STOP_GRACE_MS = 2000;

/**
 * Posts alert notices to the property teams' group chats (WeCom, DingTalk, Feishu robots, or any JSON
 * endpoint). `notify` only queues: a chat that is slow, refuses or is unreachable never holds up the
 * alert service. Each target sends one message at a time, retries with exponential back-off and jitter,
 * and keeps a bounded queue. Logs name the target and host only: the URL's query and the signing secret
 * are the robot's credentials.
 */
export class AlertWebhooks {
  private readonly targets: TargetState[];
  private readonly timers: WebhookTimers;
  private readonly fetch: typeof globalThis.fetch;
  private readonly random: () => number;
  private stopped = false;

  constructor(
    private readonly d: {
      config: AlertWebhooksConfig;
      log: Logger;
      clock: Clock;
      communityName: string;
      fetch?: typeof globalThis.fetch;
      timers?: WebhookTimers;
      random?: () => number;
    },
  ) {
    this.timers = d.timers ?? realTimers;
    this.fetch = d.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.random = d.random ?? Math.random;
    this.targets = d.config.targets.map((target) => ({
      target,
      stats: {
        name: target.name,
        format: target.format,
        host: new URL(target.url).host,
        sent: 0,
        failedAttempts: 0,
        gaveUp: 0,
        dropped: 0,
        deduplicated: 0,
        queued: 0,
        lastError: null,
        lastSuccessAt: null,
      },
      waiting: [],
      current: undefined,
      inflight: undefined,
      abort: undefined,
      retryTimer: undefined,
      keys: new Map(),
    }));
  }

  /** Queues the notice for every target that wants it; returns at once and never throws. */
  notify(notice: AlertNotice): void {
    try {
      if (this.stopped) return;
      for (const t of this.targets) {
        if (!t.target.severities.includes(notice.alert.severity)) continue;
        if (!t.target.transitions.includes(notice.transition)) continue;
        this.enqueue(t, notice);
      }
    } catch (err) {
      // a malformed notice costs its messages, never the caller (the alert service's own transition)
      this.d.log.error({ err }, 'alert webhooks: could not queue a notice');
    }
  }

  stats(): AlertWebhookStats[] {
    return this.targets.map((t) => ({ ...t.stats, queued: t.waiting.length + (t.current ? 1 : 0) }));
  }

  /** Stops retries and waits up to 2 s for requests on the wire; what is still queued is not sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.targets) {
      if (t.retryTimer !== undefined) this.timers.clearTimeout(t.retryTimer);
      t.retryTimer = undefined;
      for (const k of t.keys.values()) {
        if (k.heldTimer !== undefined) this.timers.clearTimeout(k.heldTimer);
        k.heldTimer = undefined;
        k.held = undefined;
      }
    }
    const inflight = this.targets.flatMap((t) => (t.inflight ? [t.inflight] : []));
    if (inflight.length === 0) return;
    let grace: unknown;
    await Promise.race([
      Promise.all(inflight),
      new Promise<void>((resolve) => {
        grace = this.timers.setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    this.timers.clearTimeout(grace);
    for (const t of this.targets) t.abort?.abort(new Error('the gateway is stopping'));
  }

  /**
   * Per target and alert key: a transition not seen within its window is queued at once; the same transition
   * as the chat's last message is dropped; any other repeat within its window is held, replacing what was
   * held, and sent when that window ends if the chat would otherwise show something else. So raised,
   * cleared, raised within the window reaches the chat as raised, cleared and, when raised's window ends,
   * raised: each transition at most once per window, and the last word always the alert's latest.
   */
  private enqueue(t: TargetState, notice: AlertNotice): void {
    const now = this.d.clock.monotonic();
    this.forgetSettled(t, now);
    let k = t.keys.get(notice.alert.key);
    if (!k) {
      k = { last: undefined, recent: new Map(), queued: 0, held: undefined, heldTimer: undefined };
      t.keys.set(notice.alert.key, k);
    }
    const last = k.last;
    if (last && last.notice.transition === notice.transition && (last.pending || this.inWindow(last, now))) {
      t.stats.deduplicated++;
      // the chat already shows (or will show) this transition, so whatever was held would only be stale
      this.discardHeld(t, k);
      return;
    }
    const prior = k.recent.get(notice.transition);
    if (prior && this.inWindow(prior, now)) {
      // the notice it replaces will never be sent
      if (k.held) t.stats.deduplicated++;
      k.held = notice;
      this.armHeld(t, k);
      return;
    }
    this.discardHeld(t, k);
    this.queue(t, k, notice);
  }

  private inWindow(d: Delivery, now: number): boolean {
    return now - d.windowFrom < this.d.config.dedupeWindowS * 1000;
  }

  /** Sends the held notice once its transition's window has passed, or waits until it has. */
  private armHeld(t: TargetState, k: KeyState): void {
    if (k.heldTimer !== undefined) this.timers.clearTimeout(k.heldTimer);
    k.heldTimer = undefined;
    const held = k.held;
    if (!held || this.stopped) return;
    const prior = k.recent.get(held.transition);
    const waitMs = prior ? prior.windowFrom + this.d.config.dedupeWindowS * 1000 - this.d.clock.monotonic() : 0;
    if (waitMs > 0) {
      // re-checked when it fires: a delivery that took long moves its window on
      k.heldTimer = this.timers.setTimeout(() => {
        k.heldTimer = undefined;
        this.armHeld(t, k);
      }, waitMs);
      return;
    }
    k.held = undefined;
    if (k.last?.notice.transition === held.transition) t.stats.deduplicated++;
    else this.queue(t, k, held);
  }

  private discardHeld(t: TargetState, k: KeyState): void {
    if (!k.held) return;
    t.stats.deduplicated++;
    k.held = undefined;
    if (k.heldTimer !== undefined) this.timers.clearTimeout(k.heldTimer);
    k.heldTimer = undefined;
  }

  /** Forgets the keys whose windows have all passed with nothing queued or held, so memory stays bounded. */
  private forgetSettled(t: TargetState, now: number): void {
    for (const [alertKey, k] of t.keys) {
      if (k.held || k.queued > 0) continue;
      if ([...k.recent.values()].some((d) => this.inWindow(d, now))) continue;
      t.keys.delete(alertKey);
    }
  }

  private queue(t: TargetState, k: KeyState, notice: AlertNotice): void {
    const delivery: Delivery = { notice, key: k, attempts: 0, pending: true, windowFrom: this.d.clock.monotonic() };
    k.last = delivery;
    k.recent.set(notice.transition, delivery);
    k.queued++;
    t.waiting.push(delivery);
    if (t.waiting.length > this.d.config.queueLimit) {
      const dropped = t.waiting.shift();
      // dropped unsent: the same alert may be tried again when it next changes
      if (dropped) this.unsent(dropped);
      t.stats.dropped++;
      this.d.log.warn(
        { webhook: t.target.name, host: t.stats.host, dropped: t.stats.dropped, queueLimit: this.d.config.queueLimit },
        'alert webhook queue full: dropped the oldest message',
      );
    }
    this.pump(t);
  }

  /** A message that will never arrive no longer tells what the chat shows, nor holds its transition back. */
  private unsent(delivery: Delivery): void {
    const k = delivery.key;
    delivery.pending = false;
    k.queued--;
    if (k.recent.get(delivery.notice.transition) === delivery) k.recent.delete(delivery.notice.transition);
    if (k.last === delivery) k.last = undefined;
  }

  private pump(t: TargetState): void {
    if (this.stopped || t.current) return;
    const next = t.waiting.shift();
    if (!next) return;
    t.current = next;
    this.attempt(t, next);
  }

  private attempt(t: TargetState, delivery: Delivery): void {
    t.inflight = this.post(t, delivery)
      .then((answer) => this.settle(t, delivery, answer))
      .catch((err: unknown) => this.d.log.error({ err, webhook: t.target.name }, 'alert webhook: internal error'))
      .finally(() => {
        t.inflight = undefined;
      });
  }

  private async post(t: TargetState, delivery: Delivery): Promise<WebhookAnswer> {
    delivery.attempts++;
    const req = buildWebhookRequest(t.target, delivery.notice, {
      communityName: this.d.communityName,
      now: this.d.clock.now(),
    });
    const abort = new AbortController();
    t.abort = abort;
    const timeoutMs = t.target.timeoutMs;
    const timer = this.timers.setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      const res = await this.fetch(req.url, {
        method: 'POST',
        headers: req.headers,
        body: JSON.stringify(req.body),
        signal: abort.signal,
        // a redirect would carry the token to wherever it points
        redirect: 'error',
      });
      return readWebhookAnswer(t.target.format, res.status, await res.text());
    } catch (err) {
      const reason = abort.signal.aborted ? abort.signal.reason : err;
      return { ok: false, error: this.scrub(t, describeError(reason)) };
    } finally {
      this.timers.clearTimeout(timer);
      t.abort = undefined;
    }
  }

  private settle(t: TargetState, delivery: Delivery, answer: WebhookAnswer): void {
    const s = t.stats;
    const where = { webhook: t.target.name, host: s.host, alertKey: delivery.notice.alert.key };
    if (answer.ok) {
      s.sent++;
      s.lastSuccessAt = this.d.clock.now();
      delivery.pending = false;
      delivery.windowFrom = this.d.clock.monotonic();
      delivery.key.queued--;
      this.next(t);
      return;
    }
    const error = this.scrub(t, answer.error);
    s.failedAttempts++;
    s.lastError = error;
    if (this.stopped) return;
    if (delivery.attempts >= this.d.config.maxAttempts) {
      s.gaveUp++;
      this.unsent(delivery);
      this.d.log.error(
        { ...where, transition: delivery.notice.transition, attempts: delivery.attempts, error },
        'alert webhook: gave up on a message',
      );
      this.next(t);
      return;
    }
    const retryInMs = this.backoff(delivery.attempts);
    this.d.log.warn({ ...where, attempt: delivery.attempts, retryInMs, error }, 'alert webhook: delivery failed');
    t.retryTimer = this.timers.setTimeout(() => {
      t.retryTimer = undefined;
      if (!this.stopped) this.attempt(t, delivery);
    }, retryInMs);
  }

  private next(t: TargetState): void {
    t.current = undefined;
    this.pump(t);
  }

  /** base · 2^(n-1), capped, ±20 % jitter so boxes that lost the same chat do not retry in step. */
  private backoff(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.d.config;
    const ms = Math.min(retryMaxMs, retryBaseMs * 2 ** (attempts - 1));
    return Math.round(ms * (0.8 + 0.4 * this.random()));
  }

  /** Error texts may quote what was sent (the URL with its token); whatever came from the target is removed. */
  private scrub(t: TargetState, text: string): string {
    const url = new URL(t.target.url);
    // Feishu keeps its token in the path (/open-apis/bot/v2/hook/<token>), the others in the query
    const secrets = [t.target.url, url.search.slice(1), ...url.pathname.split('/').filter((p) => p.length >= 16)];
    for (const v of url.searchParams.values()) secrets.push(v);
    if ('secret' in t.target && t.target.secret) secrets.push(t.target.secret);
    let out = text;
    for (const s of secrets.filter((v) => v.length >= 4).sort((a, b) => b.length - a.length)) {
      out = out.split(s).join('[redacted]');
    }
    return out;
  }
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const code = cause && 'code' in cause ? ` (${String(cause.code)})` : '';
  return cause ? `${err.message}: ${cause.message}${code}` : err.message;
}
