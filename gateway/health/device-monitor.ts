import { adapterFor } from '../../devices/registry.ts';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import type { BirthMessage, TelemetryBody } from '../../firmware-protocol/src/messages/lifecycle.ts';
import type { HealthConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { HealthFinding } from '../../devices/adapter.ts';
import { evaluateHealth, formatDuration, sameVerdict, type HealthVerdict } from './evaluate.ts';
import { LiveDevice } from './live-device.ts';

export interface HealthChange {
  deviceId: string;
  kind: DeviceKind;
  previous: HealthVerdict;
  verdict: HealthVerdict;
  /** What caused the change, e.g. "birth", "death", "heartbeat_timeout", "telemetry". */
  event: string;
  at: number;
}

/**
 * Presence and health of every device, in memory, driven by broker presence events, uplink messages
 * and a periodic tick. Holds no I/O: changes go to `onChange`, which persists and publishes them.
 */
export class DeviceMonitor {
  private readonly devices = new Map<string, LiveDevice>();

  constructor(
    private readonly config: HealthConfig,
    private readonly clock: Clock,
    private readonly onChange: (change: HealthChange) => void,
  ) {}

  /** Adds or updates a provisioned device (at start-up and on provisioning). */
  track(
    id: string,
    kind: DeviceKind,
    disabled: boolean,
    lastSeenAt: number | null = null,
    event = 'provisioned',
  ): LiveDevice {
    let d = this.devices.get(id);
    if (!d) {
      d = new LiveDevice(id, kind, disabled, this.config.flapWindowS * 1000, this.config.flapMaxDisconnects);
      // Homie: after a gateway restart a known device is unknown until it had the grace period to come back
      if (lastSeenAt !== null) {
        d.presence = 'awaiting';
        d.awaitingSinceMono = this.clock.monotonic();
      }
      d.lastSeenAt = lastSeenAt ?? undefined;
      this.devices.set(id, d);
    }
    d.disabled = disabled;
    this.reevaluate(d, disabled ? 'disabled' : event);
    return d;
  }

  /** The current verdict of every device, as changes from nothing, for announcing them all at once. */
  snapshot(): HealthChange[] {
    return this.all().map((d) => ({
      deviceId: d.id,
      kind: d.kind,
      previous: d.verdict,
      verdict: d.verdict,
      event: 'snapshot',
      at: this.clock.now(),
    }));
  }

  /**
   * Sets (or clears, with undefined) a finding of a device flow under a key, e.g. "COMPARTMENT_JAMMED:A3";
   * it counts in the device's health like the device's own faults until cleared.
   */
  setFinding(id: string, key: string, finding: HealthFinding | undefined): void {
    const d = this.devices.get(id);
    if (!d) return;
    const had = d.flowFindings.get(key);
    if (finding) d.flowFindings.set(key, finding);
    else if (!had) return;
    else d.flowFindings.delete(key);
    this.reevaluate(d, finding ? 'flow_finding' : 'flow_finding_cleared');
  }

  forget(id: string): void {
    this.devices.delete(id);
  }

  /** Monotonic time of the monitor's clock, for rate windows of its users. */
  now(): number {
    return this.clock.monotonic();
  }

  get(id: string): LiveDevice | undefined {
    return this.devices.get(id);
  }

  all(): LiveDevice[] {
    return [...this.devices.values()];
  }

  connected(id: string, connectionId: number, address: string): void {
    const d = this.devices.get(id);
    if (!d) return;
    d.connected = true;
    d.connectionId = connectionId;
    d.address = address;
    d.seen(this.clock.monotonic(), this.clock.now());
  }

  /** A connection closed. Ignored when it is not the device's current connection (a takeover already replaced it). */
  disconnected(id: string, connectionId: number, reason: string): void {
    const d = this.devices.get(id);
    if (!d || d.connectionId !== connectionId) return;
    d.connected = false;
    d.connectionId = undefined;
    d.born = false;
    const mono = this.clock.monotonic();
    if (reason === 'clean' || reason === 'kicked' || reason === 'broker_stopping') {
      d.goOffline(reason === 'kicked' ? 'DISCONNECTED_BY_GATEWAY' : 'SHUTDOWN', `disconnected (${reason})`);
    } else {
      d.flaps.record(mono);
      // [FWP-8.3] flap damping: a lost connection counts as offline only after the grace period.
      // a quick reconnect that drops again does not restart the grace
      if (d.presence === 'online') d.lostAtMono ??= mono;
    }
    this.reevaluate(d, `disconnect:${reason}`);
  }

  birth(id: string, msg: BirthMessage): void {
    const d = this.devices.get(id);
    if (!d) return;
    d.startSession(msg.body.bdSeq, msg.body.heartbeatS, msg.body.firmware, this.clock.monotonic(), this.clock.now());
    d.capabilities = msg.body.capabilities;
    this.reevaluate(d, 'birth');
  }

  /**
   * [FWP-8.3] A death counts only if its bdSeq is the current session's: a late will of an old
   * connection must not mark a reconnected device offline. Returns whether it was applied.
   */
  death(id: string, bdSeq: number, reason: 'lost' | 'shutdown'): boolean {
    const d = this.devices.get(id);
    if (!d || d.bdSeq !== bdSeq || !d.born) return false;
    d.born = false;
    if (reason === 'shutdown') d.goOffline('SHUTDOWN', 'the device shut down');
    else if (d.presence === 'online' && d.lostAtMono === undefined) {
      d.flaps.record(this.clock.monotonic());
      d.lostAtMono = this.clock.monotonic();
    }
    this.reevaluate(d, `death:${reason}`);
    return true;
  }

  /** Any valid uplink: proof of life. */
  seen(id: string): void {
    this.devices.get(id)?.seen(this.clock.monotonic(), this.clock.now());
  }

  telemetry(id: string, body: TelemetryBody): void {
    const d = this.devices.get(id);
    if (!d) return;
    const mono = this.clock.monotonic();
    d.telemetry = body;
    d.telemetryAt = this.clock.now();
    const adapter = adapterFor(d.kind);
    const now: [string, 'fault' | 'warning' | 'kind', HealthFinding][] = [
      ...(body.faults ?? []).map((c): [string, 'fault', HealthFinding] => [
        `DEVICE_FAULT:${c}`,
        'fault',
        { severity: 'fault', code: `DEVICE_FAULT:${c}`, message: `the device reports fault ${c}` },
      ]),
      ...(body.warnings ?? []).map((c): [string, 'warning', HealthFinding] => [
        `DEVICE_WARNING:${c}`,
        'warning',
        { severity: 'degraded', code: `DEVICE_WARNING:${c}`, message: `the device reports warning ${c}` },
      ]),
      ...adapter
        .evaluate(body, this.config, d.capabilities)
        .map((f): [string, 'kind', HealthFinding] => [f.code, 'kind', f]),
    ];
    const present = new Set(now.map(([code]) => code));
    for (const [code, r] of d.reported) if (!present.has(code)) r.goneMono ??= mono;
    for (const [code, source, finding] of now) d.reported.set(code, { source, finding, goneMono: undefined });
    const openings = adapter.openings(body);
    const open = new Set(openings.filter((o) => o.state === 'open').map((o) => o.id));
    for (const key of [...d.openSince.keys()]) if (!open.has(key)) d.openSince.delete(key);
    for (const key of open) if (!d.openSince.has(key)) d.openSince.set(key, mono);
    this.reevaluate(d, 'telemetry');
  }

  /** Timeouts: heartbeats missed, grace periods ended, doors open too long. Call every second or so. */
  tick(): void {
    const mono = this.clock.monotonic();
    for (const d of this.devices.values()) {
      if (d.presence === 'awaiting' && mono - (d.awaitingSinceMono ?? mono) >= this.config.offlineGraceS * 1000) {
        d.goOffline('NOT_RECONNECTED', 'has not reconnected since the gateway started');
        this.reevaluate(d, 'not_reconnected');
        continue;
      }
      if (
        d.presence === 'online' &&
        d.lostAtMono !== undefined &&
        mono - d.lostAtMono >= this.config.offlineGraceS * 1000
      ) {
        d.goOffline('CONNECTION_LOST', `connection lost ${formatDuration((mono - d.lostAtMono) / 1000)} ago`);
        this.reevaluate(d, 'connection_lost');
        continue;
      }
      const silentMs = mono - d.lastSeenMono;
      if (d.presence === 'online' && d.born && silentMs > d.heartbeatS * this.config.heartbeatMissFactor * 1000) {
        d.goOffline(
          'HEARTBEAT_TIMEOUT',
          `no heartbeat for ${formatDuration(silentMs / 1000)} (interval ${d.heartbeatS} s)`,
        );
        this.reevaluate(d, 'heartbeat_timeout');
        continue;
      }
      this.reevaluate(d, 'tick');
      if (d.foldedChanges > 0 && d.changeWindow && mono - d.changeWindow.start >= 60_000) this.emit(d, 'folded');
    }
  }

  /** Findings of the latest telemetry and those gone for less than `faultClearS`; older ones are forgotten. */
  private held(d: LiveDevice, mono: number): { faults: string[]; warnings: string[]; kind: HealthFinding[] } {
    const out = { faults: [] as string[], warnings: [] as string[], kind: [] as HealthFinding[] };
    for (const [code, r] of d.reported) {
      if (r.goneMono !== undefined && mono - r.goneMono >= this.config.faultClearS * 1000) {
        d.reported.delete(code);
        continue;
      }
      if (r.source === 'fault') out.faults.push(code.slice('DEVICE_FAULT:'.length));
      else if (r.source === 'warning') out.warnings.push(code.slice('DEVICE_WARNING:'.length));
      else out.kind.push(r.finding);
    }
    return out;
  }

  private reevaluate(d: LiveDevice, event: string): void {
    const mono = this.clock.monotonic();
    const held = d.presence === 'online' ? this.held(d, mono) : { faults: [], warnings: [], kind: [] };
    const flapCount = d.flaps.flapping(mono);
    const verdict = evaluateHealth({
      presence: d.presence,
      disabled: d.disabled,
      offline: d.offline,
      faults: held.faults,
      warnings: held.warnings,
      kindFindings: [...held.kind, ...d.flowFindings.values()],
      openFor: new Map([...d.openSince].map(([k, since]) => [k, (mono - since) / 1000])),
      doorOpenAlertS: this.config.doorOpenAlertS,
      flapping: flapCount === undefined ? undefined : { disconnects: flapCount, windowS: this.config.flapWindowS },
    });
    if (sameVerdict(d.verdict, verdict)) {
      d.verdict = verdict; // keep messages fresh (durations) without raising an event
      return;
    }
    d.verdict = verdict;
    this.emit(d, event);
  }

  /**
   * Hands the current verdict on as a change, at most `maxChangesPerMinute` times a minute per device:
   * past that, changes are folded and the last verdict goes out once the minute ends, so a misbehaving
   * device cannot flood the history, the cloud outbox, the retained state or the log.
   */
  private emit(d: LiveDevice, event: string): void {
    const mono = this.clock.monotonic();
    if (!d.changeWindow || mono - d.changeWindow.start >= 60_000) d.changeWindow = { start: mono, count: 0 };
    if (d.changeWindow.count >= this.config.maxChangesPerMinute) {
      d.foldedChanges += 1;
      return;
    }
    const folded = d.foldedChanges;
    d.foldedChanges = 0;
    const previous = d.emitted;
    if (sameVerdict(previous, d.verdict)) return; // the folded changes ended where they began
    d.changeWindow.count += 1;
    d.emitted = d.verdict;
    this.onChange({
      deviceId: d.id,
      kind: d.kind,
      previous,
      verdict: d.verdict,
      event: folded > 0 ? `${event} (${folded} changes folded)` : event,
      at: this.clock.now(),
    });
  }
}
