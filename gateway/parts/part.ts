import type { Logger } from '../core/log.ts';

/**
 * One part of the running gateway (store, writer, broker, health, redemption, a kind, http, cloud,
 * ticker): what it acquires when the gateway starts and releases when it stops.
 */
export interface Part {
  readonly name: string;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

/**
 * Starts the parts in order. If one fails, those already started are stopped in reverse and the error
 * is thrown: a failed start leaves no port bound and no file locked.
 */
export async function startParts(parts: readonly Part[], log: Logger): Promise<void> {
  const started: Part[] = [];
  try {
    for (const p of parts) {
      await p.start?.();
      started.push(p);
    }
  } catch (err) {
    await stopParts(started, log);
    throw err;
  }
}

/** Stops the parts in reverse order; a part that fails to stop is logged and the others still stop. */
export async function stopParts(parts: readonly Part[], log: Logger): Promise<void> {
  for (const p of [...parts].reverse()) {
    try {
      await p.stop?.();
    } catch (err) {
      log.warn({ err, part: p.name }, `${p.name} did not stop cleanly`);
    }
  }
}
