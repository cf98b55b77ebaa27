import { topicMatches } from '../../broker/src/topic-filter.ts';
import { BirthMessageSchema, DeathMessageSchema } from '../../firmware-protocol/src/messages/lifecycle.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import type { Verdict } from './clauses.ts';
import { channelOf, field, jsonOf, type SeenOf } from './journal.ts';
import type { RunContext } from './run-context.ts';

type Judged = [Verdict, string];

/** [FWP-2.2] What each CONNACK return code means for the device. */
const CONNACK_MEANING: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected (client id, clean session or keep alive refused)',
  3: 'server unavailable',
  4: 'bad username or password (is the secret right?)',
  5: 'not authorized',
};

const issuesOf = (e: { issues: { path: PropertyKey[]; message: string }[] }, prefix = '') =>
  e.issues
    .slice(0, 5)
    .map((i) => `${prefix}${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');

/** Connections the gateway accepted (CONNACK 0). */
export function acceptedConns(ctx: RunContext): number[] {
  return ctx.journal
    .all('connack')
    .filter((c) => c.code === 0)
    .map((c) => c.conn);
}

/**
 * [FWP-2.1] Every CONNECT the device sent: MQTT 3.1.1, its id as client id and username, clean, keep
 * alive in range.
 */
export function judgeConnect(ctx: RunContext, keepaliveLimitS: number): Judged {
  const { id } = ctx.opts;
  const connects = ctx.journal.all('connect');
  if (connects.length === 0) return ['fail', `no CONNECT arrived within ${ctx.opts.waitS} s`];
  const problems = new Set<string>();
  for (const c of connects) {
    const p = c.connect;
    if (!p) {
      problems.add(`an unreadable CONNECT (${c.error ?? '?'})`);
      continue;
    }
    if (p.protocolName !== 'MQTT' || p.level !== 4)
      problems.add(`protocol "${p.protocolName}" level ${p.level}: only MQTT 3.1.1 (level 4) is spoken`);
    if (p.level !== 4) continue;
    if (p.clientId !== id) problems.add(`client id "${p.clientId}" is not the device id`);
    if (p.username !== id) problems.add(`username ${JSON.stringify(p.username ?? null)} is not the device id`);
    if (!p.hasPassword) problems.add('no password (the secret)');
    if (!p.clean) problems.add('clean session 0: persistent sessions are refused');
    if (p.keepaliveS < 1 || p.keepaliveS > keepaliveLimitS)
      problems.add(`keep alive ${p.keepaliveS} s (1–${keepaliveLimitS} s)`);
  }
  const accepted = acceptedConns(ctx);
  if (accepted.length === 0) {
    const refused = ctx.journal.all('connack').map((c) => `CONNACK ${c.code} (${CONNACK_MEANING[c.code] ?? '?'})`);
    problems.add(`never accepted${refused.length ? `: ${[...new Set(refused)].join(', ')}` : ''}`);
  }
  if (problems.size > 0) return ['fail', [...problems].join('; ')];
  const keepalives = [...new Set(connects.map((c) => c.connect?.keepaliveS))].join(', ');
  return ['pass', `${connects.length} CONNECT(s), keep alive ${keepalives} s`];
}

/** The first birth on a connection (its bdSeq is what the will must carry), if any. */
function birthOn(ctx: RunContext, conn: number): SeenOf<'up'> | undefined {
  return ctx.journal.uplinks('birth', conn)[0];
}

/** [FWP-8.3, FWP-8.1] The will of every accepted CONNECT: this connection's death, with the birth's bdSeq. */
export function judgeWill(ctx: RunContext): Judged {
  const deathTopic = topics.up(ctx.opts.id, 'death');
  const problems = new Set<string>();
  const accepted = acceptedConns(ctx);
  for (const conn of accepted) {
    const will = ctx.journal.all('connect').find((c) => c.conn === conn)?.connect?.will;
    if (!will) {
      problems.add('a CONNECT without a will');
      continue;
    }
    if (will.topic !== deathTopic) problems.add(`will topic ${will.topic}, not ${deathTopic}`);
    if (will.qos !== 1) problems.add(`will QoS ${will.qos}, not 1`);
    if (will.retain) problems.add('the will is retained');
    const parsed = DeathMessageSchema.safeParse(jsonOf(will.payload));
    if (!parsed.success) {
      problems.add(`the will is not a valid death: ${issuesOf(parsed.error)}`);
      continue;
    }
    if (parsed.data.body.reason !== 'lost')
      problems.add(`the will says reason "${parsed.data.body.reason}", not "lost"`);
    if (parsed.data.seq !== 0) problems.add(`the will has seq ${parsed.data.seq}, not 0`);
    const birth = birthOn(ctx, conn);
    const birthSeq = field(field(birth?.json, 'body'), 'bdSeq');
    if (birth && birthSeq !== parsed.data.body.bdSeq)
      problems.add(`the will has bdSeq ${parsed.data.body.bdSeq}, the birth that followed ${String(birthSeq)}`);
  }
  if (accepted.length === 0) return ['not_exercised', 'no connection was accepted'];
  if (problems.size > 0) return ['fail', [...problems].join('; ')];
  return ['pass', `${accepted.length} connection(s), each with its death as will`];
}

/** [FWP-3.3] What the device subscribed to on each connection, before its birth. */
export function judgeSubscribe(ctx: RunContext): Judged {
  const { id } = ctx.opts;
  const needed = [
    topics.down(id, 'command'),
    topics.down(id, 'response'),
    topics.down(id, 'error'),
    topics.gatewayState(),
  ];
  const problems = new Set<string>();
  const accepted = acceptedConns(ctx);
  for (const conn of accepted) {
    const birth = birthOn(ctx, conn);
    const subs = ctx.journal.all('subscribe').filter((s) => s.conn === conn);
    const before = subs.filter((s) => !birth || s.at <= birth.at).flatMap((s) => s.filters);
    for (const topic of needed) {
      const f = before.find((x) => topicMatches(x.topic, topic));
      if (!f) problems.add(`no subscription covering ${topic}${birth ? ' before the birth' : ''}`);
      else if (f.qos !== 1) problems.add(`${f.topic} with QoS ${f.qos}, not 1`);
    }
    // the broker answers SUBSCRIBEs in order: the n-th SUBACK is the n-th SUBSCRIBE's
    ctx.journal
      .all('suback')
      .filter((s) => s.conn === conn)
      .forEach((s, n) =>
        s.codes.forEach((code, i) => {
          if (code === 0x80)
            problems.add(`the broker refused ${subs[n]?.filters[i]?.topic ?? 'a filter'} (SUBACK 0x80)`);
        }),
      );
  }
  if (accepted.length === 0) return ['not_exercised', 'no connection was accepted'];
  if (problems.size > 0) return ['fail', [...problems].join('; ')];
  return ['pass', 'its downlink and the gateway state, QoS 1, before each birth'];
}

/** [FWP-8.2] The birth comes first on every connection, and every birth is valid for the kind. */
export function judgeBirth(ctx: RunContext): Judged {
  const { module: m } = ctx.opts;
  const problems = new Set<string>();
  const accepted = acceptedConns(ctx);
  for (const conn of accepted) {
    const first = ctx.journal.all('up').find((u) => u.conn === conn && !u.dup);
    if (first && channelOf(first.topic) !== 'birth')
      problems.add(`the first message after CONNACK was on ${channelOf(first.topic) ?? first.topic}, not the birth`);
  }
  const births = ctx.journal.uplinks('birth');
  for (const b of births) {
    const parsed = BirthMessageSchema.safeParse(b.json);
    const body = field(b.json, 'body');
    const kind = field(body, 'kind');
    if (kind !== m.wire.kind) {
      problems.add(`a birth of kind ${JSON.stringify(kind)}, the device is a ${m.wire.kind}`);
      continue;
    }
    const caps = m.wire.capabilities.safeParse(field(body, 'capabilities'));
    if (!caps.success)
      problems.add(`capabilities invalid for a ${m.wire.kind}: ${issuesOf(caps.error, 'capabilities.')}`);
    else if (!parsed.success) problems.add(`an invalid birth: ${issuesOf(parsed.error)}`);
    if (field(b.json, 'seq') !== 0) problems.add(`a birth with seq ${String(field(b.json, 'seq'))}, not 0`);
  }
  if (accepted.length === 0) return ['not_exercised', 'no connection was accepted'];
  if (births.length === 0) return ['fail', 'no birth after CONNACK'];
  if (problems.size > 0) return ['fail', [...problems].join('; ')];
  return ['pass', `${births.length} birth(s), capabilities valid for a ${m.wire.kind}`];
}
