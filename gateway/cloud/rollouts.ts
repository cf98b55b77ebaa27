import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import type { CommandService } from '../commands/command-service.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { WriterPort } from '../redemption/service/ports.ts';
import type { Db } from '../store/db-type.ts';
import type { OutboxPort } from './outbox-port.ts';

interface Rollout {
  id: string;
  text: string;
  kinds: DeviceKind[];
  durationS: number;
  createdAt: number;
}

interface RolloutProgress extends Rollout {
  total: number;
  delivered: number;
  failed: number;
  pending: number;
  targets: {
    deviceId: string;
    status: 'pending' | 'delivered' | 'failed';
    attempts: number;
    lastError: string | null;
  }[];
}

const MAX_ATTEMPTS = 5;

/**
 * Campaign pushes to device screens (a promotion on every vending machine), from the cloud's `display`
 * document [CLP-5.9]: each device of the target kinds gets the message as a `display_message` command
 * [FWP-9] when it is online, and its delivery is tracked (acknowledged, refused, or retried on timeout up
 * to 5 times); the progress is in the API and goes to the cloud [CLP-4.8].
 */
export class RolloutService {
  private readonly s;
  private readonly inFlight = new Set<string>();

  constructor(
    db: Db,
    private readonly d: {
      commands: CommandService;
      writer: WriterPort;
      clock: Clock;
      log: Logger;
      outbox?: OutboxPort | undefined;
      /** Provisioned devices of a kind. */
      devicesOfKind(kind: DeviceKind): string[];
      /** Whether the device can take a command now (online, born). */
      ready(deviceId: string): boolean;
      kindOf(deviceId: string): DeviceKind | undefined;
    },
  ) {
    this.s = {
      insert: db.prepare(
        'INSERT OR IGNORE INTO rollouts (id, text, kinds, duration_s, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      target: db.prepare(
        "INSERT OR IGNORE INTO rollout_targets (rollout_id, device_id, status, updated_at) VALUES (?, ?, 'pending', ?)",
      ),
      pending: db.prepare<
        [],
        { rollout_id: string; device_id: string; attempts: number; text: string; duration_s: number }
      >(
        'SELECT t.rollout_id, t.device_id, t.attempts, r.text, r.duration_s FROM rollout_targets t ' +
          "JOIN rollouts r ON r.id = t.rollout_id WHERE t.status = 'pending' ORDER BY r.created_at",
      ),
      set: db.prepare(
        'UPDATE rollout_targets SET status = ?, attempts = ?, last_error = ?, updated_at = ? ' +
          'WHERE rollout_id = ? AND device_id = ?',
      ),
      list: db.prepare<[], { id: string; text: string; kinds: string; duration_s: number; created_at: number }>(
        'SELECT * FROM rollouts ORDER BY created_at DESC LIMIT 200',
      ),
      get: db.prepare<[string], { id: string; text: string; kinds: string; duration_s: number; created_at: number }>(
        'SELECT * FROM rollouts WHERE id = ?',
      ),
      targets: db.prepare<
        [string],
        { device_id: string; status: 'pending' | 'delivered' | 'failed'; attempts: number; last_error: string | null }
      >('SELECT device_id, status, attempts, last_error FROM rollout_targets WHERE rollout_id = ? ORDER BY device_id'),
    };
  }

  /**
   * Inside a writer unit (a cloud document): a new rollout to
   * every device of its kinds; an old one again changes nothing.
   */
  add(r: Omit<Rollout, 'createdAt'>, now: number): void {
    if (this.s.insert.run(r.id, r.text, JSON.stringify(r.kinds), r.durationS, now).changes === 0) return;
    for (const kind of r.kinds) for (const id of this.d.devicesOfKind(kind)) this.s.target.run(r.id, id, now);
  }

  /** Delivers to the devices that are ready; called by the gateway's tick. */
  tick(): void {
    // walk every pending target (a cursor, not a page: targets on offline devices cannot crowd out the rest),
    // and start at most 50 deliveries a second
    let started = 0;
    for (const t of this.s.pending.iterate()) {
      if (started >= 50) break;
      const key = `${t.rollout_id}/${t.device_id}`;
      if (this.inFlight.has(key) || !this.d.ready(t.device_id)) continue;
      this.inFlight.add(key);
      started += 1;
      void this.deliver(t).finally(() => this.inFlight.delete(key));
    }
  }

  private async deliver(t: {
    rollout_id: string;
    device_id: string;
    attempts: number;
    text: string;
    duration_s: number;
  }): Promise<void> {
    const kind = this.d.kindOf(t.device_id);
    let status: 'pending' | 'delivered' | 'failed' = 'delivered';
    let error: string | null = null;
    try {
      if (!kind) throw new LinliError('DEVICE_NOT_FOUND');
      await this.d.commands.send(t.device_id, kind, {
        name: 'display_message',
        args: { text: t.text, durationS: t.duration_s },
      });
    } catch (err) {
      const code = err instanceof LinliError ? err.code : 'INTERNAL_ERROR';
      error = code;
      // a device that did not answer is tried again; one that refused, or a fifth silence, has failed
      status = code === 'COMMAND_TIMEOUT' && t.attempts + 1 < MAX_ATTEMPTS ? 'pending' : 'failed';
    }
    const now = this.d.clock.now();
    await this.d.writer.submit(() => {
      this.s.set.run(status, t.attempts + 1, error, now, t.rollout_id, t.device_id);
      // [CLP-4.8] only the end of a delivery is news for the cloud
      if (status !== 'pending')
        this.d.outbox?.append('health', `rollout.${status}`, {
          rolloutId: t.rollout_id,
          deviceId: t.device_id,
          attempts: t.attempts + 1,
          error,
          at: now,
        });
    });
  }

  list(): RolloutProgress[] {
    return this.s.list.all().map((r) => this.progress(r));
  }

  get(id: string): RolloutProgress | undefined {
    const r = this.s.get.get(id);
    return r && this.progress(r);
  }

  private progress(r: {
    id: string;
    text: string;
    kinds: string;
    duration_s: number;
    created_at: number;
  }): RolloutProgress {
    const targets = this.s.targets
      .all(r.id)
      .map((t) => ({ deviceId: t.device_id, status: t.status, attempts: t.attempts, lastError: t.last_error }));
    const count = (s: string) => targets.filter((t) => t.status === s).length;
    return {
      id: r.id,
      text: r.text,
      kinds: JSON.parse(r.kinds) as DeviceKind[],
      durationS: r.duration_s,
      createdAt: r.created_at,
      total: targets.length,
      delivered: count('delivered'),
      failed: count('failed'),
      pending: count('pending'),
      targets,
    };
  }
}
