import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { ConfigSchema } from '../config/schema.ts';
import { judgeBirth, judgeConnect, judgeSubscribe, judgeWill } from './checks-session.ts';
import {
  judgeEnvelope,
  judgeEvents,
  judgeMajorFallback,
  judgeRequests,
  judgeSeq,
  judgeTelemetry,
  judgeTopics,
} from './checks-traffic.ts';
import { clausesOf, type ClauseResult, type Verdict } from './clauses.ts';
import { field, type Seen } from './journal.ts';
import { KitGateway } from './kit-gateway.ts';
import { Halt, RunContext, type RunOptions } from './run-context.ts';
import { commands, heartbeatInterval, heartbeats, probes } from './steps-commands.ts';
import { gatewayRestart, notBorn, reboot, reconnect } from './steps-lifecycle.ts';
import { armRequestResend, request } from './steps-request.ts';

export interface KitOptions extends RunOptions {
  /** Where the device connects to the kit. */
  host: string;
  port: number;
  /** The secret the device has already; otherwise the kit's gateway generates one. */
  secret?: string;
  /** Ends the run early: what was not judged yet is "not exercised". */
  signal?: AbortSignal;
  /** The kit listens: where the device connects, with which secret. */
  onReady?(info: { port: number; secret: string }): void;
}

/** The clause results in clause order, and everything the kit saw on the wire. */
export interface ConformanceRun {
  clauses: ClauseResult[];
  seen: readonly Seen[];
  /** Ended early (Ctrl-C): what was not judged by then is "not exercised". */
  interrupted: boolean;
}

type Step = readonly [name: string, run: (ctx: RunContext) => Promise<void>];
type Judge = readonly [clause: string, judge: (ctx: RunContext) => [Verdict, string]];

/** The keep alive the kit's gateway accepts [FWP-2.1]: its default `mqtt.keepaliveLimitS`. */
export const KEEPALIVE_LIMIT_S = ConfigSchema.parse({}).mqtt.keepaliveLimitS;

/**
 * The walk through the device's contract, as named steps in order: each may end the run (Halt) when
 * the device is gone. What only needs watching is judged afterwards from the journal (PASSIVE).
 */
function steps(armed: ReturnType<typeof armRequestResend>): Step[] {
  return [
    ['connection', awaitConnection],
    ['birth', async (ctx) => void (await ctx.born())],
    ['set_heartbeat', heartbeatInterval],
    ['commands', commands],
    ['probes', probes],
    ['heartbeats', heartbeats],
    ['NOT_BORN', notBorn],
    ['gateway restart', gatewayRestart],
    ['request', (ctx) => request(ctx, armed)],
    ['lost connection', reconnect],
    ['reboot', reboot],
  ];
}

const PASSIVE: readonly Judge[] = [
  ['connect', (ctx) => judgeConnect(ctx, KEEPALIVE_LIMIT_S)],
  ['will', judgeWill],
  ['subscribe', judgeSubscribe],
  ['birth', judgeBirth],
  ['envelope', judgeEnvelope],
  ['seq', judgeSeq],
  ['topics', judgeTopics],
  ['telemetry', judgeTelemetry],
  ['events', judgeEvents],
  ['request', judgeRequests],
  ['major-fallback', judgeMajorFallback],
];

const INTERRUPTED = 'the run was interrupted';

/** Clauses judged from the device's traffic: nothing to judge when it sent nothing. */
const TRAFFIC = new Set(['envelope', 'seq', 'topics', 'telemetry', 'events', 'request', 'major-fallback']);

async function awaitConnection(ctx: RunContext): Promise<void> {
  const accepted = await ctx.journal.next('connack', (c) => c.code === 0, ctx.opts.waitS * 1000);
  if (!accepted) throw new Halt(`the device did not connect within ${ctx.opts.waitS} s`);
  ctx.opts.say(`${ctx.opts.id} connected`);
}

/**
 * Runs the conformance kit standing in for a gateway: starts the kit's own gateway, waits for the
 * device, walks it through every clause of its kind's contract and returns the results in clause
 * order, with its journal. Everything the kit started is stopped before it returns.
 */
export async function runConformance(opts: KitOptions): Promise<ConformanceRun> {
  const kit = new KitGateway({
    id: opts.id,
    kind: opts.module.wire.kind as DeviceKind,
    host: opts.host,
    port: opts.port,
    ...(opts.secret !== undefined ? { secret: opts.secret } : {}),
  });
  const ctx = new RunContext(opts, kit, clausesOf(opts.module, { keepaliveLimitS: KEEPALIVE_LIMIT_S }));
  const abort = () => kit.journal.close('interrupted');
  try {
    await kit.start();
    opts.signal?.addEventListener('abort', abort, { once: true });
    const armed = armRequestResend(ctx);
    opts.onReady?.({ port: kit.port, secret: kit.secret });
    let halted: string | undefined;
    for (const [name, run] of steps(armed)) {
      if (kit.journal.closed || opts.signal?.aborted) {
        halted = INTERRUPTED;
        break;
      }
      try {
        await run(ctx);
      } catch (err) {
        if (!(err instanceof Halt)) throw err;
        halted = kit.journal.closed ? INTERRUPTED : err.message;
        opts.say(`stopped at "${name}": ${halted}`);
        break;
      }
    }
    await ctx.heartbeats;
    if (kit.journal.closed) halted = INTERRUPTED;
    judge(ctx, halted);
    return {
      clauses: ctx.defs.map((d) => ctx.results.get(d.id) as ClauseResult),
      seen: kit.journal.entries,
      interrupted: halted === INTERRUPTED,
    };
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    await kit.stop();
  }
}

/** The passive clauses from the journal, answers given twice, and what the steps never reached. */
function judge(ctx: RunContext, halted: string | undefined): void {
  ctx.judging = true;
  const sent = ctx.journal.all('up').length;
  for (const [id, run] of PASSIVE) {
    if (TRAFFIC.has(id) && sent === 0) ctx.set(id, 'not_exercised', 'the device sent nothing');
    else ctx.set(id, ...run(ctx));
  }
  // interrupted before anything came: nothing the device did or failed to do
  if (halted === INTERRUPTED && ctx.journal.all('connect').length === 0)
    ctx.set('connect', 'not_exercised', 'interrupted before the device connected');
  for (const [id, commandId] of ctx.commandIds) {
    const acks = ctx.journal
      .all('up')
      .filter((u) => u.topic.endsWith('/up/ack') && !u.dup && field(u.json, 'corr') === commandId);
    if (acks.length > 1 && ctx.results.get(id)?.verdict === 'pass')
      ctx.set(id, 'fail', `answered ${acks.length} times [FWP-9.3: once]`);
  }
  for (const d of ctx.defs)
    if (!ctx.has(d.id)) ctx.set(d.id, 'not_exercised', halted ? `not reached: ${halted}` : 'not reached');
}
