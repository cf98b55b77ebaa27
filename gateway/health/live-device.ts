import type { HealthFinding } from '../../devices/adapter.ts';
import type { TelemetryBody } from '../../firmware-protocol/src/messages/lifecycle.ts';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import type { Presence, HealthVerdict } from './evaluate.ts';
import { FlapDetector } from './flap-detector.ts';
import { MessageDedup } from './message-dedup.ts';

/** What the gateway knows, in memory, about one device right now. */
export class LiveDevice {
  connected = false;
  connectionId: number | undefined;
  address: string | undefined;
  born = false;
  bdSeq: number | undefined;
  heartbeatS = 30;
  firmware: string | undefined;
  /** What the device said it can do in its latest birth. */
  capabilities: unknown;
  presence: Presence = 'never_seen';
  offline: { code: string; message: string } | undefined;
  lastSeenMono = 0;
  lastSeenAt: number | undefined;
  /** Since when (monotonic ms) a device known from before a gateway restart is awaited. */
  awaitingSinceMono: number | undefined;
  /** Set while a lost connection is inside its grace period (monotonic ms). */
  lostAtMono: number | undefined;
  sessionStartedAt: number | undefined;
  telemetry: TelemetryBody | undefined;
  telemetryAt: number | undefined;
  /** Opening id → monotonic ms when it was first seen open. */
  readonly openSince = new Map<string, number>();
  /** What the gateway's own flows found (a jammed compartment, a door left open, overdue parcels), by key. */
  readonly flowFindings = new Map<string, HealthFinding>();
  /**
   * What the device's telemetry reported (its faults and warnings, the kind's alarms), by code: present
   * in the latest report, or gone since `goneMono`; a finding holds until it has been gone for
   * `health.faultClearS` (flap damping).
   */
  readonly reported = new Map<
    string,
    { source: 'fault' | 'warning' | 'kind'; finding: HealthFinding; goneMono: number | undefined }
  >();
  /** The verdict last handed on as a change (stored, published), and this minute's count of changes. */
  emitted: HealthVerdict = { status: 'unknown', reasons: [] };
  changeWindow: { start: number; count: number } | undefined;
  /** Changes folded into the next one, past `health.maxChangesPerMinute`. */
  foldedChanges = 0;
  readonly flaps: FlapDetector;
  readonly dedup = new MessageDedup();
  expectedSeq = 0;
  seqGaps = 0;
  duplicates = 0;
  badMessages = 0;
  /** Messages and requests dropped or refused over the device's budget [FWP-5.3]. */
  rateLimited = 0;
  verdict: HealthVerdict = { status: 'unknown', reasons: [] };

  constructor(
    readonly id: string,
    readonly kind: DeviceKind,
    public disabled: boolean,
    flapWindowMs: number,
    flapMax: number,
  ) {
    this.flaps = new FlapDetector(flapWindowMs, flapMax);
  }

  /** Starts a new session at birth [FWP-8.2]: sequence from 1, a fresh duplicate window. */
  startSession(bdSeq: number, heartbeatS: number, firmware: string, nowMono: number, now: number): void {
    this.born = true;
    this.bdSeq = bdSeq;
    this.heartbeatS = heartbeatS;
    this.firmware = firmware;
    this.presence = 'online';
    this.offline = undefined;
    this.lostAtMono = undefined;
    this.sessionStartedAt = now;
    this.expectedSeq = 1;
    this.dedup.clear();
    // a new session reports its own state: what the last one reported does not carry over
    this.reported.clear();
    this.seen(nowMono, now);
  }

  seen(nowMono: number, now: number): void {
    this.lastSeenMono = nowMono;
    this.lastSeenAt = now;
  }

  /** [FWP-4.4] Counts a gap when seq is not the next one; the birth (seq 0) is handled by startSession. */
  trackSeq(seq: number): void {
    if (seq !== this.expectedSeq) this.seqGaps += 1;
    this.expectedSeq = seq === 0xffff_ffff ? 0 : seq + 1;
  }

  goOffline(code: string, message: string): void {
    this.presence = 'offline';
    this.offline = { code, message };
    this.born = false;
    this.lostAtMono = undefined;
    this.openSince.clear();
  }
}
