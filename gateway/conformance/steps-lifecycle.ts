import { COMMAND_SPECS } from '../../firmware-protocol/src/messages/commands.ts';
import { buildArgs } from './command-args.ts';
import { channelOf, field, jsonOf, type SeenOf } from './journal.ts';
import { gradeAck, Halt, type RunContext, type Session } from './run-context.ts';

/** How long a device has to answer the gateway with a birth (NOT_BORN, a new bootId, a new connection). */
const BIRTH_WITHIN_MS = 10_000;
/** [FWP-2.2] The first retry comes after 0.5–1 s: sooner than this (with slack for timers) is a tight loop. */
const MIN_RETRY_MS = 400;

const isBirthOn = (conn: number) => (u: SeenOf<'up'>) => channelOf(u.topic) === 'birth' && u.conn === conn;
const bdSeqOf = (json: unknown) => field(field(json, 'body'), 'bdSeq');

/** A rebirth answers the gateway within one session: the same bdSeq, seq 0. */
function judgeRebirth(
  ctx: RunContext,
  id: string,
  s: Session,
  birth: SeenOf<'up'> | undefined,
  after: string,
  at: number,
): void {
  if (!birth) return ctx.set(id, 'fail', `no birth within ${BIRTH_WITHIN_MS / 1000} s of ${after}`);
  const bdSeq = bdSeqOf(birth.json);
  const seq = field(birth.json, 'seq');
  if (bdSeq !== s.bdSeq) return ctx.set(id, 'fail', `a birth with bdSeq ${String(bdSeq)}, the session's is ${s.bdSeq}`);
  if (seq !== 0) return ctx.set(id, 'fail', `a birth with seq ${String(seq)}, not 0`);
  ctx.set(id, 'pass', `a birth (bdSeq ${s.bdSeq}, seq 0) ${Math.round(birth.at - at)} ms after ${after}`);
}

/**
 * [FWP-8.2] The kit's gateway forgets the session (as a restarted gateway would have none) and makes the
 * device answer a ping: its ack gets NOT_BORN, to which the device must answer with a birth.
 */
export async function notBorn(ctx: RunContext): Promise<void> {
  const s = await ctx.born();
  const { journal, kit } = ctx;
  const from = journal.mark();
  kit.forgetSession();
  const r = await ctx.command({ name: 'ping', args: {} });
  const isNotBorn = (d: SeenOf<'down'>) =>
    d.topic.endsWith('/down/error') && field(field(d.json, 'body'), 'code') === 'NOT_BORN';
  const sent = await journal.next('down', isNotBorn, 3000, from);
  if (!sent) {
    // the gateway's error replies are capped [FWP-5.2]: the kit says it itself, as the gateway would
    const last = journal.all('up', from).at(-1);
    await kit.send(
      'error',
      'error',
      { code: 'NOT_BORN', message: 'publish a birth first (the gateway has no session for this device)' },
      r.ack ? { corr: field(last?.json, 'id') } : {},
    );
  }
  const at = sent?.at ?? journal.now();
  const birth = await journal.next('up', isBirthOn(s.conn), BIRTH_WITHIN_MS, from);
  judgeRebirth(ctx, 'rebirth-not-born', s, birth, 'NOT_BORN', at);
}

/** [FWP-8.2, FWP-10.1] A new bootId on the retained gateway state: the gateway restarted, the device births again. */
export async function gatewayRestart(ctx: RunContext): Promise<void> {
  const s = await ctx.born();
  const { journal, kit } = ctx;
  const from = journal.mark();
  const at = journal.now();
  await kit.announceRestart();
  const birth = await journal.next('up', isBirthOn(s.conn), BIRTH_WITHIN_MS, from);
  judgeRebirth(ctx, 'rebirth-restart', s, birth, 'the new bootId', at);
}

/**
 * [FWP-8.1, FWP-8.3, FWP-2.2] The kit cuts the connection like a network failure: the broker publishes
 * the will (the session's bdSeq); the device comes back after a back-off with bdSeq + 1 in its new
 * will and birth.
 */
export async function reconnect(ctx: RunContext): Promise<void> {
  const s = await ctx.born();
  const { journal, kit } = ctx;
  await kit.settle(3000);
  const from = journal.mark();
  const droppedAt = journal.now();
  kit.drop();
  const will = await journal.next('will', () => true, 5000, from);
  const connect = await journal.next('connect', (c) => c.conn > s.conn, ctx.opts.waitS * 1000, from);
  if (!connect) {
    ctx.set('reconnect', 'fail', `did not reconnect within ${ctx.opts.waitS} s of the lost connection`);
    ctx.set('backoff', 'not_exercised', 'the device did not reconnect');
    throw new Halt('the device did not reconnect after the kit dropped its connection');
  }
  const delayMs = Math.round(connect.at - droppedAt);
  ctx.set(
    'backoff',
    delayMs >= MIN_RETRY_MS ? 'pass' : 'fail',
    delayMs >= MIN_RETRY_MS
      ? `first retry ${delayMs} ms after the connection was lost`
      : `retried ${delayMs} ms after the connection was lost: a tight loop (first retry after 0.5–1 s)`,
  );
  const expected = (s.bdSeq + 1) & 0xffff;
  const problems: string[] = [];
  const oldWill = bdSeqOf(will?.json);
  if (will && oldWill !== s.bdSeq)
    problems.push(`the published will had bdSeq ${String(oldWill)}, the session's was ${s.bdSeq}`);
  const newWill = connect.connect?.will ? bdSeqOf(jsonOf(connect.connect.will.payload)) : undefined;
  if (newWill !== expected) problems.push(`the new will has bdSeq ${String(newWill)}, expected ${expected}`);
  const birth = await journal.next('up', isBirthOn(connect.conn), BIRTH_WITHIN_MS, from);
  if (!birth) problems.push(`no birth within ${BIRTH_WITHIN_MS / 1000} s of reconnecting`);
  else {
    ctx.adopt(birth);
    const b = bdSeqOf(birth.json);
    if (b !== expected) problems.push(`the new birth has bdSeq ${String(b)}, expected ${expected}`);
  }
  ctx.set(
    'reconnect',
    problems.length ? 'fail' : 'pass',
    problems.length
      ? problems.join('; ')
      : `reconnected after ${delayMs} ms; bdSeq ${s.bdSeq} → ${expected} in will and birth`,
  );
}

/**
 * [FWP-9.2, FWP-8.3] The last step: `reboot`. Acknowledged, then an orderly goodbye (death "shutdown"
 * with the session's bdSeq, then DISCONNECT), and the device comes back with a birth. A device that
 * cannot keep bdSeq across a reboot may start anywhere [FWP-8.1], so only its return is required.
 */
export async function reboot(ctx: RunContext): Promise<void> {
  const s = await ctx.born();
  const { journal } = ctx;
  const built = buildArgs(COMMAND_SPECS.reboot.args, s.capabilities);
  if (!built.ok) {
    ctx.set('command:reboot', 'not_exercised', built.why);
    ctx.set('shutdown', 'not_exercised', 'reboot was not sent');
    return;
  }
  const from = journal.mark();
  const r = await ctx.command({ name: 'reboot', args: built.args });
  ctx.commandIds.set('command:reboot', r.id);
  const g = gradeAck(r, 'done');
  if (g.verdict !== 'pass') {
    ctx.set('command:reboot', g.verdict, g.reason);
    ctx.set('shutdown', 'not_exercised', 'the device did not agree to reboot');
    return;
  }
  const delayS = Number((built.args as { delayS?: number }).delayS ?? 0);
  const closed = await journal.next('closed', (c) => c.conn === s.conn, (delayS + 15) * 1000, from);
  if (!closed) {
    ctx.set('command:reboot', 'fail', `${g.reason}, but the connection stayed up ${delayS + 15} s`);
    ctx.set('shutdown', 'not_exercised', 'the device did not restart');
    return;
  }
  ctx.set('shutdown', ...judgeShutdown(ctx, s, from));
  const birth = await journal.next(
    'up',
    (u) => channelOf(u.topic) === 'birth' && u.conn > s.conn,
    (delayS + ctx.opts.waitS) * 1000,
    from,
  );
  if (!birth) {
    ctx.set('command:reboot', 'fail', `${g.reason}, but it did not come back within ${delayS + ctx.opts.waitS} s`);
    return;
  }
  ctx.adopt(birth);
  ctx.set(
    'command:reboot',
    'pass',
    `${g.reason}; back with a birth ${Math.round(birth.at - closed.at)} ms after it went`,
  );
}

function judgeShutdown(ctx: RunContext, s: Session, from: number): ['pass' | 'fail' | 'not_observed', string] {
  const mine = ctx.journal.entries.slice(from).filter((e) => e.conn === s.conn);
  const disconnect = mine.findIndex((e) => e.kind === 'disconnect');
  const deaths = mine.filter(
    (e, i): e is SeenOf<'up'> =>
      e.kind === 'up' && channelOf(e.topic) === 'death' && (disconnect < 0 || i < disconnect),
  );
  if (disconnect < 0)
    return [
      'not_observed',
      'the connection closed without DISCONNECT (the will stood in): no orderly shutdown to judge',
    ];
  const death = deaths.at(-1);
  if (!death) return ['fail', 'DISCONNECT without a death "shutdown" first: the gateway cannot tell a shutdown'];
  const body = field(death.json, 'body');
  if (field(body, 'reason') !== 'shutdown')
    return ['fail', `the death before DISCONNECT says reason ${JSON.stringify(field(body, 'reason'))}`];
  if (field(body, 'bdSeq') !== s.bdSeq)
    return ['fail', `the shutdown death has bdSeq ${String(field(body, 'bdSeq'))}, the session's is ${s.bdSeq}`];
  return ['pass', `death "shutdown" (bdSeq ${s.bdSeq}), then DISCONNECT`];
}
