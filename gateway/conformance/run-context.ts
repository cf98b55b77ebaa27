import type { KindModule } from '../../devices/kind-module.ts';
import { AckMessageSchema } from '../../firmware-protocol/src/messages/ack.ts';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../../firmware-protocol/src/messages/commands.ts';
import type { ClauseDef, ClauseResult, Verdict } from './clauses.ts';
import { channelOf, field, type Journal, type SeenOf } from './journal.ts';
import type { KitGateway } from './kit-gateway.ts';

/** What the operator is asked to do, and (in tests) what a simulated device is made to do. */
export interface Prompt {
  action: 'request';
  text: string;
  /** The kit's test card, known to its gateway. */
  cardUid: string;
  ops: string[];
}

export interface RunOptions {
  module: KindModule;
  id: string;
  /** Ask for 5 s heartbeats first, so the heartbeat clause takes seconds instead of minutes. */
  quick: boolean;
  /** How long the kit waits for the device to connect, and to come back after a reboot. */
  waitS: number;
  /** How long the kit waits for the device to send a request (the operator taps a card). */
  requestWaitS: number;
  /** Progress for the person at the keyboard. */
  say(line: string): void;
  /** The operator must act (tap a card); the kit waits `requestWaitS` for it. */
  prompt?(p: Prompt): void;
}

/** The device's current session as the kit knows it: its connection and its birth. */
export interface Session {
  conn: number;
  bdSeq: number;
  heartbeatS: number;
  capabilities: unknown;
}

/** A command the kit sent: its id, its first ack (if any came in time), and every ack of it so far. */
export interface CommandSent {
  id: string;
  timeoutMs: number;
  ack: SeenOf<'up'> | undefined;
  latencyMs: number;
  acks(): SeenOf<'up'>[];
}

/** A step cannot go on (the device is gone): the clauses not judged yet are not exercised, with this reason. */
export class Halt extends Error {}

/** The state of one run: the clauses, their results, the device's session and the kit's gateway. */
export class RunContext {
  readonly results = new Map<string, ClauseResult>();
  /** Command ids sent for a clause: an ack answering one twice fails it. */
  readonly commandIds = new Map<string, string>();
  session: Session | undefined;
  /** The heartbeat clause, judged while other steps run. */
  heartbeats: Promise<void> | undefined;
  /** The steps are over: what is judged now is judged from the journal, interrupted or not. */
  judging = false;

  constructor(
    readonly opts: RunOptions,
    readonly kit: KitGateway,
    readonly defs: readonly ClauseDef[],
  ) {}

  get journal(): Journal {
    return this.kit.journal;
  }

  set(id: string, verdict: Verdict, reason?: string): void {
    const def = this.defs.find((d) => d.id === id);
    if (!def) throw new Error(`no clause "${id}"`);
    // an interrupted run ends every wait at once: what a step judged then is not the device's doing
    if (this.journal.closed && !this.judging) {
      verdict = 'not_exercised';
      reason = `interrupted before it was judged (${this.journal.closed})`;
    }
    this.results.set(id, { ...def, verdict, ...(reason ? { reason } : {}) });
  }

  has(id: string): boolean {
    return this.results.has(id);
  }

  /** The device's connection now, if it is open and born; waits up to `waitS` for it to come back. */
  async born(): Promise<Session> {
    const closed = new Set(this.journal.all('closed').map((c) => c.conn));
    const s = this.session;
    if (s && !closed.has(s.conn)) return s;
    const open = (u: SeenOf<'up'>) => channelOf(u.topic) === 'birth' && !closed.has(u.conn);
    const latest = this.journal.all('up').filter(open).at(-1);
    const birth = latest ?? (await this.journal.next('up', open, this.opts.waitS * 1000, this.journal.mark()));
    if (!birth) throw new Halt(`the device was not connected and born (waited ${this.opts.waitS} s)`);
    this.adopt(birth);
    return this.session as Session;
  }

  /** Takes a birth as the device's current session. */
  adopt(birth: SeenOf<'up'>): void {
    const body = field(birth.json, 'body');
    const bdSeq = field(body, 'bdSeq');
    const heartbeatS = field(body, 'heartbeatS');
    this.session = {
      conn: birth.conn,
      bdSeq: typeof bdSeq === 'number' ? bdSeq : -1,
      heartbeatS: typeof heartbeatS === 'number' ? heartbeatS : 30,
      capabilities: field(body, 'capabilities'),
    };
  }

  /**
   * [FWP-9.1] Sends a command and waits for its first ack (timeoutMs plus a second for the network).
   * `raw` replaces the message the kit would build (a later minor's, a duplicate).
   */
  async command(
    body: { name: string; args: unknown; timeoutMs?: number },
    opts: { raw?: (msg: Record<string, unknown>) => Record<string, unknown>; times?: number } = {},
  ): Promise<CommandSent> {
    const timeoutMs = body.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const built = this.kit.envelope('command', { ...body, timeoutMs });
    const msg = opts.raw ? opts.raw(built) : built;
    const from = this.journal.mark();
    const sentAt = this.journal.now();
    for (let i = 0; i < (opts.times ?? 1); i++) await this.kit.publish('command', msg);
    const isAck = (u: SeenOf<'up'>) => channelOf(u.topic) === 'ack' && field(u.json, 'corr') === built.id;
    const ack = await this.journal.next('up', isAck, timeoutMs + 1000, from);
    return {
      id: built.id,
      timeoutMs,
      ack,
      latencyMs: ack ? Math.round(ack.at - sentAt) : Number.NaN,
      acks: () => this.journal.all('up', from).filter(isAck),
    };
  }
}

/** [FWP-9.3] Grades an ack: valid, in time, with the status the clause expects. */
export function gradeAck(
  r: { ack: SeenOf<'up'> | undefined; latencyMs: number; timeoutMs: number },
  expect: 'done' | 'rejected',
): { verdict: Verdict; reason: string } {
  if (!r.ack)
    return {
      verdict: 'fail',
      reason:
        expect === 'done'
          ? `no ack within timeoutMs ${r.timeoutMs} ms (+1 s)`
          : `no ack within ${r.timeoutMs} ms (+1 s): ` +
            'every command is answered, an invalid one with "rejected" [FWP-9.3]',
    };
  const parsed = AckMessageSchema.safeParse(r.ack.json);
  if (!parsed.success)
    return {
      verdict: 'fail',
      reason: `invalid ack: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    };
  const { status, reason, detail } = parsed.data.body;
  const said = `"${status}"${reason ? ` ${reason}` : ''}${detail ? ` (${detail})` : ''}`;
  if (r.latencyMs > r.timeoutMs)
    return { verdict: 'fail', reason: `ack after ${r.latencyMs} ms, past timeoutMs ${r.timeoutMs}` };
  if (status !== expect)
    return {
      verdict: 'fail',
      reason:
        expect === 'done'
          ? `answered ${said}`
          : `answered ${said}: ${status === 'done' ? 'it carried out' : 'it tried'} a command it should have refused`,
    };
  return { verdict: 'pass', reason: `${said} in ${r.latencyMs} ms` };
}
