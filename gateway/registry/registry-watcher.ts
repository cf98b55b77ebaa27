import type { Logger } from '../core/log.ts';
import type { Db } from '../store/db-type.ts';
import type { DeviceRecord, DeviceRepo } from '../store/device-repo.ts';

interface RegistryChanges {
  added(d: DeviceRecord): void;
  changed(d: DeviceRecord): void;
  /** Disabled, secret rotated or removed by another process: its live connection must go. */
  revoked(id: string, why: 'disabled' | 'rotated' | 'removed'): void;
}

/**
 * Notices device changes another process made to the database (the `linli provision` / `linli device`
 * commands while the gateway runs). SQLite's data_version changes only when another connection
 * commits, so the check is one cheap pragma per interval.
 */
export class RegistryWatcher {
  private dataVersion = -1;
  private known = new Map<string, { disabled: boolean; rotatedAt: number }>();

  constructor(
    private readonly db: Db,
    private readonly repo: DeviceRepo,
    private readonly on: RegistryChanges,
    private readonly log: Logger,
  ) {}

  /** Takes the current state as the baseline. */
  prime(): void {
    this.dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    this.known = new Map(this.repo.list().map((d) => [d.id, { disabled: d.disabled, rotatedAt: d.secretRotatedAt }]));
  }

  /** Our own writes also go through here so they are not mistaken for foreign ones. */
  remember(d: DeviceRecord): void {
    this.known.set(d.id, { disabled: d.disabled, rotatedAt: d.secretRotatedAt });
  }

  check(): void {
    const v = this.db.pragma('data_version', { simple: true }) as number;
    if (v === this.dataVersion) return;
    this.dataVersion = v;
    const seen = new Set<string>();
    for (const d of this.repo.list()) {
      seen.add(d.id);
      const before = this.known.get(d.id);
      this.known.set(d.id, { disabled: d.disabled, rotatedAt: d.secretRotatedAt });
      if (!before) {
        this.log.info({ deviceId: d.id }, 'device provisioned by another process');
        this.on.added(d);
        continue;
      }
      if (d.disabled && !before.disabled) this.on.revoked(d.id, 'disabled');
      else if (d.secretRotatedAt !== before.rotatedAt) this.on.revoked(d.id, 'rotated');
      if (d.disabled !== before.disabled) this.on.changed(d);
    }
    for (const id of [...this.known.keys()]) {
      if (!seen.has(id)) {
        this.known.delete(id);
        this.on.revoked(id, 'removed');
      }
    }
  }
}
