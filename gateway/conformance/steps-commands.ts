import { commandsOf } from '../../devices/registry.ts';
import { COMMAND_SPECS, type CommandName } from '../../firmware-protocol/src/messages/commands.ts';
import { HeartbeatMessageSchema } from '../../firmware-protocol/src/messages/lifecycle.ts';
import { buildArgs } from './command-args.ts';
import { channelOf, field, type SeenOf } from './journal.ts';
import { gradeAck, type RunContext } from './run-context.ts';

/** The shortest heartbeat interval a birth may promise [FWP-8.2]: what `--quick` asks for. */
export const QUICK_HEARTBEAT_S = 5;
/** Probes that may well go unanswered do not hold the run up for the default 5 s. */
const PROBE_TIMEOUT_MS = 3000;

const argsSchema = (name: string) => COMMAND_SPECS[name as CommandName].args;

/**
 * [FWP-8.4] `set_heartbeat` first (5 s with --quick, else the birth's own interval), then the heartbeat
 * clause is judged in the background while the command steps run: two heartbeats after the change no
 * further apart than the promised interval (with 50 % and a second of slack). Heartbeats are QoS 0: one
 * lost or late on the way is forgiven if the next pair is on time, never a silence of 3 intervals (when
 * the gateway calls the device offline).
 */
export async function heartbeatInterval(ctx: RunContext): Promise<void> {
  const s = await ctx.born();
  const intervalS = ctx.opts.quick ? QUICK_HEARTBEAT_S : s.heartbeatS;
  const r = await ctx.command({ name: 'set_heartbeat', args: { intervalS } });
  const g = gradeAck(r, 'done');
  ctx.set('command:set_heartbeat', g.verdict, g.reason);
  ctx.commandIds.set('command:set_heartbeat', r.id);
  const promised = g.verdict === 'pass' ? intervalS : s.heartbeatS;
  // a device may keep its old schedule until its next tick: the first heartbeat may come on the old interval
  const firstWithinS = Math.max(promised, s.heartbeatS) * 1.5 + 2;
  ctx.heartbeats = watchHeartbeats(ctx, s.conn, promised, firstWithinS, ctx.journal.mark());
}

async function watchHeartbeats(
  ctx: RunContext,
  conn: number,
  promisedS: number,
  firstWithinS: number,
  from: number,
): Promise<void> {
  const { journal } = ctx;
  const isBeat = (u: SeenOf<'up'>) => channelOf(u.topic) === 'heartbeat' && u.conn === conn;
  const after = (h: SeenOf<'up'>) => journal.entries.indexOf(h) + 1;
  const silenceS = promisedS * 3 + 1;
  const limitS = promisedS * 1.5 + 1;
  const promise = `promised every ${promisedS} s`;
  const beats: SeenOf<'up'>[] = [];
  const h1 = await journal.next('up', isBeat, firstWithinS * 1000, from);
  if (!h1) return ctx.set('heartbeat', 'fail', `no heartbeat within ${firstWithinS} s (${promise})`);
  beats.push(h1);
  const gaps: number[] = [];
  // a pair on time ends the watch; a late pair gets one more heartbeat to make up for it
  while (beats.length < 3 && !gaps.some((g) => g <= limitS)) {
    const last = beats.at(-1) as SeenOf<'up'>;
    const h = await journal.next('up', isBeat, silenceS * 1000, after(last));
    if (!h) return ctx.set('heartbeat', 'fail', `no heartbeat for ${silenceS} s after one (${promise})`);
    beats.push(h);
    gaps.push((h.at - last.at) / 1000);
  }
  const bad = beats.map((h) => HeartbeatMessageSchema.safeParse(h.json)).find((p) => !p.success);
  if (bad && !bad.success)
    return ctx.set(
      'heartbeat',
      'fail',
      `invalid heartbeat: ${bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const apart = `${gaps.map((g) => g.toFixed(1)).join(' s, then ')} s apart`;
  ctx.set('heartbeat', gaps.some((g) => g <= limitS) ? 'pass' : 'fail', `heartbeats ${apart}, ${promise}`);
}

/** [FWP-9.2] Every command the kind implements, but set_heartbeat (done) and reboot (the last step). */
export async function commands(ctx: RunContext): Promise<void> {
  for (const name of commandsOf(ctx.opts.module)) {
    if (name === 'set_heartbeat' || name === 'reboot') continue;
    const s = await ctx.born();
    const id = `command:${name}`;
    const built = buildArgs(argsSchema(name), s.capabilities);
    if (!built.ok) {
      ctx.set(id, 'not_exercised', built.why);
      continue;
    }
    const r = await ctx.command({ name, args: built.args });
    const g = gradeAck(r, 'done');
    ctx.set(id, g.verdict, `${JSON.stringify(built.args)}: ${g.reason}`);
    ctx.commandIds.set(id, r.id);
  }
}

/**
 * What a device must do with commands the gateway of a later minor, or a QoS 1 redelivery, may send
 * it [FWP-2.3, FWP-9.3], probed at once: none of them changes the device's state when it conforms.
 */
export async function probes(ctx: RunContext): Promise<void> {
  await ctx.born();
  await Promise.all([duplicate(ctx), newerMinor(ctx), closedArgs(ctx), unknownCommand(ctx)]);
}

async function duplicate(ctx: RunContext): Promise<void> {
  const r = await ctx.command({ name: 'ping', args: {}, timeoutMs: PROBE_TIMEOUT_MS }, { times: 2 });
  // the second copy's ack, if any, comes right after the first
  await new Promise((res) => setTimeout(res, 500));
  const g = gradeAck(r, 'done');
  if (g.verdict !== 'pass') return ctx.set('command-duplicate', 'fail', g.reason);
  const acks = r.acks();
  const bodies = new Set(acks.map((a) => JSON.stringify(field(a.json, 'body'))));
  if (acks.length > 2 || bodies.size > 1)
    return ctx.set(
      'command-duplicate',
      'fail',
      `answered ${acks.length} times, ${bodies.size} different answers: carried out twice`,
    );
  ctx.set('command-duplicate', 'pass', acks.length === 1 ? 'answered once' : 'answered twice with the same ack');
}

async function newerMinor(ctx: RunContext): Promise<void> {
  const r = await ctx.command(
    { name: 'ping', args: {}, timeoutMs: PROBE_TIMEOUT_MS },
    {
      raw: (m) => ({
        ...m,
        v: '1.99',
        origin: { note: 'a field of a later minor' },
        body: { ...(m.body as object), priority: 'normal' },
      }),
    },
  );
  const g = gradeAck(r, 'done');
  ctx.set('newer-minor', g.verdict, g.verdict === 'pass' ? `v "1.99" with unknown fields: ${g.reason}` : g.reason);
}

async function closedArgs(ctx: RunContext): Promise<void> {
  const r = await ctx.command({
    name: 'identify',
    args: { durationS: 1, flashColour: 'red' },
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  const g = gradeAck(r, 'rejected');
  ctx.set('closed-args', g.verdict, `identify {durationS: 1, flashColour: "red"}: ${g.reason}`);
}

async function unknownCommand(ctx: RunContext): Promise<void> {
  const r = await ctx.command({ name: 'conformance_probe', args: {}, timeoutMs: PROBE_TIMEOUT_MS });
  const g = gradeAck(r, 'rejected');
  ctx.set('unknown-command', g.verdict, `"conformance_probe": ${g.reason}`);
}

/** The heartbeat clause, judged in the background since set_heartbeat, is in before the session is disturbed. */
export async function heartbeats(ctx: RunContext): Promise<void> {
  await ctx.heartbeats;
}
