import type { Aedes } from 'aedes';
import { limitedLogger, LogLimiter, type LimitedLogger } from '../../gateway/core/log-limiter.ts';
import { TURN_BUDGET_MS, TurnBudget } from '../../gateway/core/turn-budget.ts';
import { verifySecret } from '../../gateway/security/secret-hash.ts';
import type { AuthDeps } from './auth/authenticate.ts';
import { ConnectionTable } from './connections.ts';
import { Lockout } from './limits/lockout.ts';
import { PendingGate } from './limits/pending.ts';
import { TokenBucketLimiter } from './limits/rate-limit.ts';
import { SlidingWindowCounter } from './limits/sliding-window.ts';
import type { BrokerContext, BrokerStats, PresenceEvent } from './types.ts';

/** Keys each limiter remembers at most (per username, per address): bounded memory under attack. */
const MAX_TRACKED_KEYS = 10_000;
/** [MQTT-3.1.4-2] takeovers of one id within this window beyond this count suggest a cloned identity. */
const TAKEOVER_WINDOW_MS = 60_000;
export const TAKEOVER_WARN_ABOVE = 3;
/**
 * Warnings caused by one client (refused filters, publishes, connections; dropped deliveries) are
 * written at most LOG_LINES_PER_KEY times per window and key (event and address), LOG_LINES_TOTAL
 * over all keys; the rest is counted and summarised, so no client can flood the log.
 */
export const LOG_WINDOW_MS = 60_000;
export const LOG_LINES_PER_KEY = 5;
const LOG_LINES_TOTAL = 100;
const LOG_KEYS = 1000;

export type Counters = Omit<BrokerStats, 'connections' | 'devicesConnected' | 'pending'>;

/** The state the broker's hooks, event handlers and public methods share. Built by the constructor: no I/O. */
export interface Core {
  readonly ctx: BrokerContext;
  readonly conns: ConnectionTable;
  readonly counters: Counters;
  readonly auth: AuthDeps;
  readonly connectRate: TokenBucketLimiter;
  readonly takeovers: SlidingWindowCounter;
  /** Places for connections not yet authenticated (mqtt.pendingPerAddress, mqtt.pendingTotal). */
  readonly pending: PendingGate;
  /** For every warning a client can cause: keyed "event:address", rate limited (LOG_LINES_PER_KEY). */
  readonly limitedLog: LimitedLogger;
  /** Authentications and subscriptions wait for a later turn past the budget (the gateway's uplinks share it). */
  readonly turns: TurnBudget;
  aedes: Aedes | undefined;
  /** Truncated for logs: usernames and client ids come from the network. */
  clip(s: string | undefined): string | undefined;
}

export function createCore(ctx: BrokerContext): Core {
  const now = () => ctx.clock.monotonic();
  const { lockout } = ctx.config;
  const lockoutOpts = {
    maxFailures: lockout.maxFailures,
    windowMs: lockout.windowS * 1000,
    lockMs: lockout.lockS * 1000,
    maxKeys: MAX_TRACKED_KEYS,
  };
  const limitedLog = limitedLogger(
    ctx.log,
    new LogLimiter(
      { perKey: LOG_LINES_PER_KEY, total: LOG_LINES_TOTAL, windowMs: LOG_WINDOW_MS, maxKeys: LOG_KEYS },
      now,
    ),
  );
  const emit = (e: PresenceEvent) => {
    try {
      ctx.onPresence?.(e);
    } catch (err) {
      // a failing listener must never throw into aedes' connection
      // handling; a device reconnecting in a loop must not flood the log
      limitedLog.error(
        `presence-listener:${e.deviceId}`,
        { err, deviceId: e.deviceId, event: e.type },
        'presence listener failed',
      );
    }
  };
  return {
    ctx,
    conns: new ConnectionTable(emit, () => ctx.clock.now()),
    counters: {
      authFailures: 0,
      lockedOut: 0,
      rateLimited: 0,
      refusedPublishes: 0,
      refusedSubscribes: 0,
      oversized: 0,
      takeovers: 0,
      slowConsumers: 0,
      pendingRefused: 0,
      preAuthTimeouts: 0,
    },
    auth: {
      integrations: ctx.config.integrations,
      credentials: ctx.credentials,
      verifySecret: (secret, hash) => verifySecret(secret, hash),
      byUsernameAtAddress: new Lockout(lockoutOpts, now),
      byAddress: new Lockout(lockoutOpts, now),
    },
    connectRate: new TokenBucketLimiter(
      { capacity: ctx.config.connectsPerMinutePerAddress, refillMs: 60_000, maxKeys: MAX_TRACKED_KEYS },
      now,
    ),
    takeovers: new SlidingWindowCounter({
      windowMs: TAKEOVER_WINDOW_MS,
      maxHits: TAKEOVER_WARN_ABOVE + 1,
      maxKeys: MAX_TRACKED_KEYS,
    }),
    pending: new PendingGate({ perAddress: ctx.config.pendingPerAddress, total: ctx.config.pendingTotal }),
    limitedLog,
    turns: ctx.turns ?? new TurnBudget(TURN_BUDGET_MS, now),
    aedes: undefined,
    clip: (s) => (s === undefined || s.length <= 64 ? s : `${s.slice(0, 64)}…`),
  };
}
