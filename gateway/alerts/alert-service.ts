import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { BatchWriter } from '../store/batch-writer.ts';
import type { OutboxPort } from '../cloud/outbox-port.ts';
import type { AlertFilter, AlertRepo } from './alert-repo.ts';
import type { AlertCondition } from './alert-rules.ts';
import type { Alert, AlertNotice, AlertSeverity, AlertTransition } from './alert-types.ts';

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * The alerts staff must deal with: raised while a condition holds (a device's fault, a door left open, the
 * cloud link down) and cleared when it stops, or raised by an event (a charging socket over-heating) and
 * cleared by staff. Acknowledging stops the nagging but keeps the alert open until its condition ends.
 * Decisions are made on the open alerts in memory; rows are written by the gateway's writer a moment later.
 */
export class AlertService {
  /** Open (not cleared) alerts by key. */
  private readonly open = new Map<string, Alert>();
  /** Keys whose condition holds now: staff cannot clear those, only acknowledge them. */
  private readonly holding = new Set<string>();
  private nextId = 1;

  constructor(
    private readonly d: {
      repo: AlertRepo;
      writer: Pick<BatchWriter, 'submit'>;
      clock: Pick<Clock, 'now'>;
      log: Logger;
      notify: (n: AlertNotice) => void;
      nameOf: (deviceId: string) => string | undefined;
      /** The cloud hears of each transition [CLP-4.11], written with the alert's row. */
      outbox?: OutboxPort | undefined;
    },
  ) {}

  /** Takes up the alerts left open by the previous run. */
  load(): void {
    for (const a of this.d.repo.loadOpen()) this.open.set(a.key, a);
    this.nextId = this.d.repo.nextId();
  }

  /**
   * Makes the open alerts under `prefix` (a device's, `device:<id>:`, or the gateway's, `gateway:`) be
   * exactly `conditions`: new ones raised, gone ones cleared, a changed text or severity kept up to date.
   */
  reconcile(prefix: string, conditions: readonly AlertCondition[]): void {
    const now = this.d.clock.now();
    const wanted = new Set(conditions.map((c) => c.key));
    for (const c of conditions) {
      this.holding.add(c.key);
      this.upsert(c, now);
    }
    for (const [key, a] of this.open) {
      if (!key.startsWith(prefix) || wanted.has(key)) continue;
      this.holding.delete(key);
      this.finish(a, now, null);
    }
  }

  /** An alert raised by an event (no condition to end it): it stays open until staff clear it. */
  raiseEvent(c: Omit<AlertCondition, 'key'> & { deviceId: string }): void {
    this.upsert({ ...c, key: `event:${c.deviceId}:${c.code}` }, this.d.clock.now());
  }

  /** A deleted device's alerts end with it. */
  forgetDevice(deviceId: string): void {
    const now = this.d.clock.now();
    for (const [key, a] of this.open) {
      if (a.deviceId !== deviceId) continue;
      this.holding.delete(key);
      this.finish(a, now, null);
    }
  }

  acknowledge(id: number, by: string, note: string): Alert {
    const a = this.openById(id);
    const acked: Alert = { ...a, acknowledged: { at: this.d.clock.now(), by, note } };
    this.store(acked, 'acknowledged');
    return acked;
  }

  /** Staff close an alert; one whose condition still holds can only be acknowledged. */
  clear(id: number, by: string): Alert {
    const a = this.openById(id);
    if (this.holding.has(a.key))
      throw new LinliError(
        'CONFLICT',
        `${a.code} still holds (${a.message}); acknowledge it instead — it clears when the condition ends`,
      );
    return this.finish(a, this.d.clock.now(), by);
  }

  openAlerts(): Alert[] {
    return [...this.open.values()].sort((a, b) => RANK[b.severity] - RANK[a.severity] || b.raisedAt - a.raisedAt);
  }

  get(id: number): Alert | undefined {
    for (const a of this.open.values()) if (a.id === id) return a;
    return this.d.repo.get(id);
  }

  /** History: every alert, newest first, open ones as they are in memory (their row may be a moment behind). */
  list(f: AlertFilter): Alert[] {
    const live = new Map([...this.open.values()].map((a) => [a.id, a]));
    return this.d.repo.list(f).map((a) => live.get(a.id) ?? a);
  }

  private openById(id: number): Alert {
    for (const a of this.open.values()) if (a.id === id) return a;
    // ids are this process's, handed out in order: one below the next that is not open was cleared
    if (Number.isInteger(id) && id > 0 && id < this.nextId)
      throw new LinliError('CONFLICT', `alert ${id} is already cleared`);
    throw new LinliError('NOT_FOUND', `no alert ${id}`);
  }

  private upsert(c: AlertCondition, now: number): void {
    const seen = this.open.get(c.key);
    if (!seen) {
      const a: Alert = {
        id: this.nextId++,
        key: c.key,
        deviceId: c.deviceId,
        code: c.code,
        severity: c.severity,
        message: c.message,
        raisedAt: now,
        lastSeenAt: now,
        acknowledged: null,
        cleared: null,
      };
      this.open.set(c.key, a);
      this.persist(() => this.d.repo.insert(a), 'raised', a);
      this.tell('raised', a);
      return;
    }
    if (seen.severity === c.severity && seen.message === c.message) return;
    // worse than what was acknowledged: it nags again
    const escalated = RANK[c.severity] > RANK[seen.severity];
    const next: Alert = {
      ...seen,
      severity: c.severity,
      message: c.message,
      lastSeenAt: now,
      acknowledged: escalated ? null : seen.acknowledged,
    };
    this.store(next, escalated ? 'raised' : undefined);
  }

  private finish(a: Alert, now: number, by: string | null): Alert {
    const done: Alert = { ...a, lastSeenAt: now, cleared: { at: now, by } };
    this.open.delete(a.key);
    this.persist(() => this.d.repo.save(done), 'cleared', done);
    this.tell('cleared', done);
    return done;
  }

  private store(a: Alert, transition: AlertTransition | undefined): void {
    this.open.set(a.key, a);
    this.persist(() => this.d.repo.save(a), transition, a);
    if (transition) this.tell(transition, a);
  }

  /** Writes the alert's row and, for a transition, its event for the cloud, in one unit. */
  private persist(work: () => void, transition: AlertTransition | undefined, a: Alert): void {
    const at = this.d.clock.now();
    this.d.writer
      .submit(() => {
        work();
        if (transition && this.d.outbox)
          this.d.outbox.append('health', 'alert.changed', {
            alertId: a.id,
            transition,
            deviceId: a.deviceId,
            code: a.code,
            severity: a.severity,
            message: a.message.slice(0, 500),
            raisedAt: a.raisedAt,
            at,
          });
      })
      .catch((err: unknown) => this.d.log.error({ err }, 'could not store an alert'));
  }

  private tell(transition: AlertTransition, alert: Alert): void {
    const deviceName = alert.deviceId ? this.d.nameOf(alert.deviceId) : undefined;
    try {
      this.d.notify({ transition, alert, deviceName });
    } catch (err) {
      this.d.log.error({ err }, 'an alert listener failed');
    }
  }
}
