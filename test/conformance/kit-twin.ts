import { kindModule } from '../../devices/registry.ts';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import type { ClauseResult } from '../../gateway/conformance/clauses.ts';
import type { Prompt } from '../../gateway/conformance/run-context.ts';
import { runConformance } from '../../gateway/conformance/runner.ts';
import type { Seen } from '../../gateway/conformance/journal.ts';
import { SimDevice, type SimDeviceOptions } from '../../sim/src/sim-device.ts';

/**
 * Where a simulator twin may deviate from PROTOCOL.md and the kit says so: nowhere. Every twin answers
 * a command it does not know, or with an argument it does not take, with "rejected" [FWP-9.3, 2.3].
 */
export const SIM_DEVIATIONS: ReadonlyMap<string, RegExp> = new Map();

/** Clauses no twin can exercise: it speaks major 1 only. */
export const NEVER_EXERCISED = new Set(['major-fallback']);

/** What the kit saw, one line per packet (a failing test prints it): time, connection, what, topic, id. */
export function timeline(run: TwinRun): string {
  const lines = run.seen.map((e) => {
    const json = 'json' in e ? (e.json as { id?: string; body?: { code?: string } } | undefined) : undefined;
    const topic = 'topic' in e ? e.topic.split('/').slice(4).join('/') : '';
    return `${Math.round(e.at)} #${e.conn} ${e.kind} ${topic} ${json?.id ?? ''} ${json?.body?.code ?? ''}`.trimEnd();
  });
  return [...run.lines, ...lines].join('\n');
}

/** Whether a clause result is what a conforming twin gets. */
export function asExpected(c: ClauseResult): boolean {
  if (NEVER_EXERCISED.has(c.id)) return c.verdict === 'not_exercised';
  const known = SIM_DEVIATIONS.get(c.id);
  if (known && c.verdict === 'fail') return known.test(c.reason ?? '');
  return c.verdict === 'pass';
}

/** The simulated device under test: the registry's twin, or a deliberately broken one. */
export type MakeDevice = (opts: SimDeviceOptions) => SimDevice;

export interface TwinRun {
  results: ClauseResult[];
  byId: Map<string, ClauseResult>;
  lines: string[];
  seen: readonly Seen[];
}

/**
 * The kit standing in for a gateway on an ephemeral loopback port, a simulated device of `kind`
 * pointed at it, `--quick` heartbeats. When the kit asks the operator for a request, the twin sends a
 * lookup with the kit's test card (and reports its tamper switch, so the events clause has one to judge).
 * Bounded: every wait of the kit is at most `waitS`; the device is stopped whatever happens.
 */
export async function runAgainstTwin(
  kind: DeviceKind,
  opts: { make?: MakeDevice; waitS?: number } = {},
): Promise<TwinRun> {
  const m = kindModule(kind);
  if (!m) throw new Error(`no kind ${kind}`);
  const id = `${m.sim.prefix}-kit-01`;
  const make = opts.make ?? ((o) => new SimDevice(o));
  let device: SimDevice | undefined;
  const lines: string[] = [];
  const onPrompt = (p: Prompt) => {
    const d = device;
    if (!d) return;
    d.request({ op: 'lookup', credential: { type: 'uid', uid: p.cardUid } }, d.newTxn(), 1500).catch(() => undefined);
    d.sendEvent({ event: 'tamper', open: false }).catch(() => undefined);
  };
  try {
    const { clauses: results, seen } = await runConformance({
      module: m,
      id,
      host: '127.0.0.1',
      port: 0,
      quick: true,
      waitS: opts.waitS ?? 20,
      requestWaitS: opts.waitS ?? 20,
      say: (line) => lines.push(line),
      prompt: onPrompt,
      onReady: ({ port, secret }) => {
        device = make({ url: `mqtt://127.0.0.1:${port}`, id, kind, secret, index: 0 });
        device.start().catch(() => undefined);
      },
    });
    return { results, byId: new Map(results.map((r) => [r.id, r])), lines, seen };
  } finally {
    await device?.stop({ graceful: false });
  }
}
