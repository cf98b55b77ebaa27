import * as z from 'zod';
import { EnvelopeShape } from '../../firmware-protocol/src/envelope.ts';
import { EventMessageSchema } from '../../firmware-protocol/src/messages/events.ts';
import { TelemetryMessageSchema } from '../../firmware-protocol/src/messages/lifecycle.ts';
import { RequestMessageSchema } from '../../firmware-protocol/src/messages/redemption.ts';
import { CHANNEL_SPEC, parseTopic, UPLINK_CHANNELS, type UplinkChannel } from '../../firmware-protocol/src/topics.ts';
import { parseVersion, PROTOCOL_MAJOR } from '../../firmware-protocol/src/version.ts';
import { eventNamesOf, requestOpsOf, type Verdict } from './clauses.ts';
import { channelOf, field, type SeenOf } from './journal.ts';
import type { RunContext } from './run-context.ts';

type Judged = [Verdict, string];

/** [FWP-7.1] Telemetry at least every 60 s; the kit allows 5 s for timers and the network. */
const TELEMETRY_EVERY_MS = 65_000;
const EnvelopeSchema = z.object(EnvelopeShape);

const issuesOf = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
  e.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');

const majorOf = (u: SeenOf<'up'>) => parseTopic(u.topic)?.major;
const vMajorOf = (json: unknown) => {
  const v = field(json, 'v');
  return typeof v === 'string' ? parseVersion(v)?.major : undefined;
};
/** Messages of the device's protocol major; a QoS 1 retransmission (DUP) repeats one already judged. */
const own = (ctx: RunContext) => ctx.journal.all('up').filter((u) => !u.dup && majorOf(u) === PROTOCOL_MAJOR);

const verdictOf = (problems: Set<string>, pass: string): Judged =>
  problems.size > 0 ? ['fail', [...problems].slice(0, 6).join('; ')] : ['pass', pass];

/**
 * The device's uplinks cut into sessions: from each birth to the next birth or the end of its
 * connection. What came before a connection's birth is the birth clause's to judge.
 */
function sessions(ctx: RunContext): SeenOf<'up'>[][] {
  const out: SeenOf<'up'>[][] = [];
  let cur: SeenOf<'up'>[] | undefined;
  let conn = -1;
  for (const u of own(ctx)) {
    if (u.conn !== conn) cur = undefined;
    conn = u.conn;
    if (channelOf(u.topic) === 'birth') {
      cur = [];
      out.push(cur);
    }
    cur?.push(u);
  }
  return out;
}

/** [FWP-4.1, FWP-4.2, FWP-2.3] Every uplink's envelope; ids unique within a session. */
export function judgeEnvelope(ctx: RunContext): Judged {
  const problems = new Set<string>();
  const msgs = own(ctx);
  for (const u of msgs) {
    const channel = channelOf(u.topic);
    const env = EnvelopeSchema.safeParse(u.json);
    if (!env.success) problems.add(`${channel ?? u.topic}: ${u.json === undefined ? 'not JSON' : issuesOf(env.error)}`);
    else if (vMajorOf(u.json) !== PROTOCOL_MAJOR)
      problems.add(`v "${env.data.v}" on a v${PROTOCOL_MAJOR} topic: the major of v is the topic's`);
    if (channel && (UPLINK_CHANNELS as readonly string[]).includes(channel) && field(u.json, 'type') !== channel)
      problems.add(`type ${JSON.stringify(field(u.json, 'type'))} on the ${channel} channel`);
  }
  for (const s of sessions(ctx)) {
    const seen = new Set<unknown>();
    for (const u of s) {
      const id = field(u.json, 'id');
      if (seen.has(id)) problems.add(`id ${JSON.stringify(id)} used twice in one session`);
      seen.add(id);
    }
  }
  return verdictOf(problems, `${msgs.length} uplinks`);
}

/** [FWP-4.4] seq 0 at birth, +1 with every later uplink; deaths carry 0. */
export function judgeSeq(ctx: RunContext): Judged {
  const problems = new Set<string>();
  for (const s of sessions(ctx)) {
    let expected = 0;
    for (const u of s) {
      if (channelOf(u.topic) === 'death') continue;
      const seq = field(u.json, 'seq');
      if (typeof seq !== 'number') continue; // the envelope clause's
      if (seq !== expected) problems.add(`${channelOf(u.topic)} with seq ${seq}, expected ${expected}`);
      expected = seq === 0xffff_ffff ? 0 : seq + 1;
    }
  }
  return verdictOf(problems, `${sessions(ctx).length} session(s) counted from 0 without gaps`);
}

/** [FWP-3.2, FWP-3.5] Own up/ topics only, the channel's QoS, no retain flag. */
export function judgeTopics(ctx: RunContext): Judged {
  const problems = new Set<string>();
  const all = ctx.journal.all('up');
  for (const u of all) {
    const t = parseTopic(u.topic);
    if (t?.scope !== 'device' || t.deviceId !== ctx.opts.id || t.direction !== 'up') {
      problems.add(`published on ${u.topic}`);
      continue;
    }
    if (!t.channel) {
      problems.add(`published on the unknown channel "${t.rawChannel}"`);
      continue;
    }
    const want = CHANNEL_SPEC[t.channel as UplinkChannel].qos;
    if (u.qos !== want) problems.add(`${t.channel} with QoS ${u.qos}, not ${want}`);
    if (u.retain) problems.add(`${t.channel} with the retain flag`);
  }
  return verdictOf(problems, `${all.length} publishes on its own channels`);
}

/** [FWP-7.x] Telemetry valid for the kind, and no born session longer than 60 s without it. */
export function judgeTelemetry(ctx: RunContext): Judged {
  const { module: m } = ctx.opts;
  const problems = new Set<string>();
  const reports = own(ctx).filter((u) => channelOf(u.topic) === 'telemetry');
  for (const r of reports) {
    const body = field(r.json, 'body');
    if (field(body, 'kind') !== m.wire.kind) {
      problems.add(`telemetry of kind ${JSON.stringify(field(body, 'kind'))}, the device is a ${m.wire.kind}`);
      continue;
    }
    const kindOk = m.wire.telemetry.safeParse(body);
    if (!kindOk.success) problems.add(`invalid for a ${m.wire.kind}: ${issuesOf(kindOk.error)}`);
    else {
      const msg = TelemetryMessageSchema.safeParse(r.json);
      if (!msg.success) problems.add(`invalid telemetry: ${issuesOf(msg.error)}`);
    }
  }
  // the longest stretch of a born session without telemetry, up to its end (or now)
  let longest = 0;
  for (const s of sessions(ctx)) {
    const birth = s[0];
    if (!birth) continue;
    const end = Math.min(
      ctx.journal.all('closed').find((c) => c.conn === birth.conn)?.at ?? Number.POSITIVE_INFINITY,
      own(ctx).find((u) => u.conn === birth.conn && u.at > birth.at && channelOf(u.topic) === 'birth')?.at ??
        Number.POSITIVE_INFINITY,
      ctx.journal.now(),
    );
    let last = birth.at;
    for (const t of s.filter((u) => channelOf(u.topic) === 'telemetry')) {
      longest = Math.max(longest, t.at - last);
      last = t.at;
    }
    longest = Math.max(longest, end - last);
  }
  if (longest > TELEMETRY_EVERY_MS)
    problems.add(`${Math.round(longest / 1000)} s without telemetry (at least every 60 s)`);
  if (problems.size > 0) return ['fail', [...problems].slice(0, 6).join('; ')];
  if (reports.length === 0)
    return ['not_observed', `no telemetry in the ${Math.round(longest / 1000)} s it was born (it is due every 60 s)`];
  return ['pass', `${reports.length} report(s)`];
}

/** [FWP-11.7] Events the kind declares (and tamper), valid. */
export function judgeEvents(ctx: RunContext): Judged {
  const names = eventNamesOf(ctx.opts.module);
  const events = own(ctx).filter((u) => channelOf(u.topic) === 'event');
  const problems = new Set<string>();
  for (const e of events) {
    const name = field(field(e.json, 'body'), 'event');
    if (typeof name !== 'string' || !names.includes(name)) {
      problems.add(`event ${JSON.stringify(name)} is not one of a ${ctx.opts.module.wire.kind}'s`);
      continue;
    }
    const parsed = EventMessageSchema.safeParse(e.json);
    if (!parsed.success) problems.add(`invalid ${name} event: ${issuesOf(parsed.error)}`);
  }
  if (events.length === 0) return ['not_observed', 'the device sent no event'];
  return verdictOf(
    problems,
    `${events.length} event(s): ${[...new Set(events.map((e) => field(field(e.json, 'body'), 'event')))].join(', ')}`,
  );
}

/** [FWP-11.2, FWP-4.3] Requests of the kind's ops, valid, each with a txn. */
export function judgeRequests(ctx: RunContext): Judged {
  const ops = requestOpsOf(ctx.opts.module);
  const requests = own(ctx).filter((u) => channelOf(u.topic) === 'request');
  const problems = new Set<string>();
  for (const r of requests) {
    const op = field(field(r.json, 'body'), 'op');
    if (typeof op !== 'string' || !ops.includes(op)) {
      problems.add(`op ${JSON.stringify(op)} is not one of a ${ctx.opts.module.wire.kind}'s (${ops.join(', ')})`);
      continue;
    }
    const parsed = RequestMessageSchema.safeParse(r.json);
    if (!parsed.success) problems.add(`invalid ${op}: ${issuesOf(parsed.error)}`);
    else if (!parsed.data.txn) problems.add(`${op} without a txn`);
  }
  if (requests.length === 0) return ['not_observed', 'the device sent no request'];
  return verdictOf(
    problems,
    `${requests.length} request(s): ` +
      [...new Set(requests.map((r) => field(field(r.json, 'body'), 'op')))].join(', '),
  );
}

/**
 * [FWP-2.4, FWP-6.1] A device that tried another major got UNSUPPORTED_PROTOCOL_VERSION: it must not
 * resend that message unchanged, and falls back to a birth on v1. A device that spoke only v1 had
 * nothing to fall back from: the kit cannot make it try another major.
 */
export function judgeMajorFallback(ctx: RunContext): Judged {
  const all = ctx.journal.all('up');
  const other = all.filter(
    (u) => !u.dup && (majorOf(u) !== PROTOCOL_MAJOR || (u.json !== undefined && vMajorOf(u.json) !== PROTOCOL_MAJOR)),
  );
  if (other.length === 0)
    return ['not_exercised', `the device spoke only major ${PROTOCOL_MAJOR}: nothing to fall back from`];
  const problems = new Set<string>();
  const first = other[0] as SeenOf<'up'>;
  const text = (u: SeenOf<'up'>) => `${u.topic} ${JSON.stringify(u.json)}`;
  const seen = new Set<string>();
  for (const u of other) {
    if (seen.has(text(u))) problems.add(`resent a refused message unchanged on ${u.topic}`);
    seen.add(text(u));
  }
  const fellBack = all.some(
    (u) =>
      u.at > first.at &&
      channelOf(u.topic) === 'birth' &&
      majorOf(u) === PROTOCOL_MAJOR &&
      vMajorOf(u.json) === PROTOCOL_MAJOR,
  );
  if (!fellBack) problems.add(`no birth on v${PROTOCOL_MAJOR} after trying ${first.topic}`);
  return verdictOf(problems, `tried ${first.topic}, then fell back to v${PROTOCOL_MAJOR}`);
}
