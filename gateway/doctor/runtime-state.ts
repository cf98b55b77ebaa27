import * as z from 'zod';
import type { Config } from '../config/schema.ts';
import type { RuntimeState } from './context.ts';

/** The part of /healthz doctor reads (the rest may change without doctor noticing). */
const HealthzSubset = z.object({
  clock: z
    .object({
      state: z.enum(['ok', 'unsynced', 'skewed', 'jumped', 'behind']),
      offsetMs: z.number().nullable(),
    })
    .optional(),
  cloud: z.object({ enabled: z.boolean(), connected: z.boolean(), backlogEvents: z.number() }).optional(),
});

/** Where the CLI finds the gateway's /healthz: a wildcard address is reached on loopback. */
export function healthzUrl(http: Config['http']): string {
  const host = http.host === '0.0.0.0' ? '127.0.0.1' : http.host === '::' ? '::1' : http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${http.port}/healthz`;
}

/** The running gateway's clock trust and cloud link, from its open /healthz; undefined when it does not answer. */
export async function fetchRuntimeState(
  http: Config['http'],
  timeoutMs = 1000,
  fetchFn: typeof fetch = fetch,
): Promise<RuntimeState | undefined> {
  if (http.port === 0) return undefined;
  try {
    const res = await fetchFn(healthzUrl(http), { signal: AbortSignal.timeout(timeoutMs) });
    const parsed = HealthzSubset.safeParse(await res.json());
    if (!parsed.success) return undefined;
    const { clock, cloud } = parsed.data;
    return { ...(clock ? { clock } : {}), ...(cloud ? { cloud } : {}) };
  } catch {
    return undefined;
  }
}
