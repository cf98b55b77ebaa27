import type { Aedes } from 'aedes';
import { verifySecret } from '../../gateway/security/secret-hash.ts';
import type { AuthDeps } from './auth/authenticate.ts';
import { ConnectionTable } from './connections.ts';
import { Lockout } from './limits/lockout.ts';
import { TokenBucketLimiter } from './limits/rate-limit.ts';
import { SlidingWindowCounter } from './limits/sliding-window.ts';
import type { BrokerContext, BrokerStats, PresenceEvent } from './types.ts';

/** Keys each limiter remembers at most (per username, per address): bounded memory under attack. */
export const MAX_TRACKED_KEYS = 10_000;
/** [MQTT-3.1.4-2] takeovers of one id within this window beyond this count suggest a cloned identity. */
export const TAKEOVER_WINDOW_MS = 60_000;
export const TAKEOVER_WARN_ABOVE = 3;

export type Counters = Omit<BrokerStats, 'connections' | 'devicesConnected'>;

/** The state the broker's hooks, event handlers and public methods share. Built by the constructor: no I/O. */
export interface Core {
  readonly ctx: BrokerContext;
  readonly conns: ConnectionTable;
  readonly counters: Counters;
  readonly auth: AuthDeps;
  readonly connectRate: TokenBucketLimiter;
  readonly takeovers: SlidingWindowCounter;
  aedes: Aedes | undefined;
  /** Truncated for logs: usernames and client ids come from the network. */
  clip(s: string | undefined): string | undefined;
}

export function createCore(ctx: BrokerContext): Core {
  const now = () => ctx.clock.monotonic();
  const { lockout } = ctx.config;
  const lockoutOpts = { maxFailures: lockout.maxFailures, windowMs: lockout.windowS * 1000, lockMs: lockout.lockS * 1000, maxKeys: MAX_TRACKED_KEYS };
  const emit = (e: PresenceEvent) => {
    try {
      ctx.onPresence?.(e);
    } catch (err) {
      // a failing listener must never throw into aedes' connection handling
      ctx.log.error({ err, deviceId: e.deviceId, event: e.type }, 'presence listener failed');
    }
  };
  return {
    ctx,
    conns: new ConnectionTable(emit, () => ctx.clock.now()),
    counters: { authFailures: 0, lockedOut: 0, rateLimited: 0, refusedPublishes: 0, refusedSubscribes: 0, oversized: 0, takeovers: 0 },
    auth: {
      integrations: ctx.config.integrations,
      credentials: ctx.credentials,
      verifySecret: (secret, hash) => verifySecret(secret, hash),
      byUsername: new Lockout(lockoutOpts, now),
      byAddress: new Lockout(lockoutOpts, now),
    },
    connectRate: new TokenBucketLimiter({ capacity: ctx.config.connectsPerMinutePerAddress, refillMs: 60_000, maxKeys: MAX_TRACKED_KEYS }, now),
    takeovers: new SlidingWindowCounter({ windowMs: TAKEOVER_WINDOW_MS, maxHits: TAKEOVER_WARN_ABOVE + 1, maxKeys: MAX_TRACKED_KEYS }),
    aedes: undefined,
    clip: (s) => (s === undefined || s.length <= 64 ? s : `${s.slice(0, 64)}…`),
  };
}
