import { KIND_MODULES } from '../../devices/registry.ts';
import type { KindPart, KindPartPorts } from '../../devices/kind-part.ts';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Db } from '../store/db-type.ts';
import { migrateKind } from './kind-migrations.ts';

type EventHandler = NonNullable<KindPart['events']>[string];

/** The gateway parts of the registry's kinds: their tables, requests, events, telemetry and ticks. */
export interface KindParts {
  /** The kinds' staff API routes, mounted under /api/v1. */
  readonly routes: NonNullable<KindPart['routes']>[];
  /** Flows to register with the request handler. */
  readonly requests: NonNullable<KindPart['requests']>[];
  /** Event handlers by event name [FWP-11.7]. */
  readonly events: ReadonlyMap<string, EventHandler>;
  telemetry(kind: string, deviceId: string, body: unknown): void;
  tick(): Promise<void>;
  /** Applies each part's tables and starts it; before the broker lets devices in. */
  start(): void;
}

/**
 * Builds every kind's part on narrow ports and applies its tables (before the broker lets devices in).
 * `send` is the command service: a part hears the device's acknowledgement as done / rejected / failed.
 */
export function buildKindParts(
  db: Db,
  ports: Omit<KindPartPorts, 'db' | 'command' | 'log'>,
  deps: {
    log: Logger;
    send(deviceId: string, name: string, args: Record<string, unknown>): Promise<unknown>;
  },
): KindParts {
  const command: KindPartPorts['command'] = async (deviceId, name, args) => {
    try {
      await deps.send(deviceId, name, args);
      return 'done';
    } catch (err) {
      if (err instanceof LinliError && err.code === 'COMMAND_REJECTED') return 'rejected';
      if (err instanceof LinliError && err.code === 'COMMAND_FAILED') return 'failed';
      throw err;
    }
  };
  const parts = new Map<string, KindPart>();
  for (const m of KIND_MODULES) {
    if (!('part' in m) || !m.part) continue;
    const log = deps.log.child({ component: m.wire.kind });
    parts.set(m.wire.kind, m.part({ ...ports, db, command, log }));
  }
  const events = new Map<string, EventHandler>();
  for (const part of parts.values()) for (const [name, h] of Object.entries(part.events ?? {})) events.set(name, h);
  return {
    start() {
      for (const [kind, part] of parts) {
        const applied = migrateKind(db, kind, part.migrations ?? []);
        if (applied > 0) deps.log.info({ kind, applied }, 'kind tables migrated');
        part.start?.();
      }
    },
    requests: [...parts.values()].flatMap((p) => (p.requests ? [p.requests] : [])),
    routes: [...parts.values()].flatMap((p) => (p.routes ? [p.routes] : [])),
    events,
    telemetry: (kind, deviceId, body) => parts.get(kind)?.onTelemetry?.(deviceId, body),
    async tick() {
      for (const [kind, part] of parts)
        await part.tick?.().catch((err: unknown) => deps.log.error({ err, kind }, 'kind tick failed'));
    },
  };
}
