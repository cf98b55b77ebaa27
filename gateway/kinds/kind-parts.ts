import { KIND_MODULES } from '../../devices/registry.ts';
import type { KindPart, KindPartPorts } from '../../devices/kind-part.ts';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Db } from '../store/db-type.ts';
import { migrateKind } from './kind-migrations.ts';

type EventHandler = NonNullable<KindPart['events']>[string];
type CloudDocs = NonNullable<KindPart['cloudDocs']>;

/** The gateway parts of the registry's kinds: their tables, requests, events, telemetry and ticks. */
export interface KindParts {
  /** The kinds' staff API routes, mounted under /api/v1. */
  readonly routes: NonNullable<KindPart['routes']>[];
  /** Flows to register with the request handler. */
  readonly requests: NonNullable<KindPart['requests']>[];
  /** Event handlers by event name [FWP-11.7]. */
  readonly events: ReadonlyMap<string, EventHandler>;
  /** The sections of the cloud's documents the kinds apply, by document name. */
  readonly cloudDocs: CloudDocs;
  /** How the box's desk reader set to open a door decides; undefined without a kind that opens doors. */
  readonly deskDoor: KindPart['deskDoor'];
  /** One kind's part (for its own tests and tools); undefined for a kind without flows of its own. */
  part(kind: string): KindPart | undefined;
  telemetry(kind: string, deviceId: string, body: unknown): void;
  /**
   * Runs every part's periodic work, one tick at a time: a tick asked for while one runs starts after
   * it (with what changed meanwhile), and both callers wait for that one.
   */
  tick(): Promise<void>;
  /** Applies each part's tables and starts it; before the broker lets devices in. */
  start(): void;
  /** The demo community's setup of each kind's simulated devices. */
  demoSetup(devices: readonly { id: string; kind: string }[]): void;
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
  const cloudDocs: Record<string, unknown> = {};
  for (const part of parts.values()) {
    for (const [name, h] of Object.entries(part.events ?? {})) events.set(name, h);
    Object.assign(cloudDocs, part.cloudDocs);
  }
  const runOnce = async () => {
    queued = undefined;
    for (const [kind, part] of parts)
      await part.tick?.().catch((err: unknown) => deps.log.error({ err, kind }, 'kind tick failed'));
  };
  let chain: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
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
    cloudDocs: cloudDocs as CloudDocs,
    deskDoor: [...parts.values()].find((p) => p.deskDoor)?.deskDoor,
    part: (kind) => parts.get(kind),
    telemetry: (kind, deviceId, body) => parts.get(kind)?.onTelemetry?.(deviceId, body),
    tick() {
      if (queued) return queued;
      const next = chain.then(runOnce);
      queued = next;
      chain = next.catch(() => undefined);
      return next;
    },
    demoSetup(devices) {
      for (const [kind, part] of parts) part.demoSetup?.(devices.filter((d) => d.kind === kind).map((d) => d.id));
    },
  };
}
