import { isDeepStrictEqual } from 'node:util';
import { requestOpsOf } from './clauses.ts';
import { channelOf, field, type SeenOf } from './journal.ts';
import { KIT_CARD_UID } from './kit-gateway.ts';
import type { RunContext } from './run-context.ts';

/**
 * [FWP-5.1] A requester waits up to 5 s for the answer, then retries after a back-off (0.5–1 s for the
 * first retry): the kit waits this long for the resend before it calls the clause failed.
 */
const RESEND_WITHIN_MS = 15_000;

const isRequest = (u: SeenOf<'up'>) => channelOf(u.topic) === 'request';

/**
 * Armed before the device connects: the gateway's answer to the device's first request is kept from
 * it, so that the device must resend the request [FWP-5.1] — with a new id, the same txn and the same
 * body [FWP-4.3]. The answers after that pass.
 */
export function armRequestResend(ctx: RunContext): { first: () => SeenOf<'up'> | undefined; release: () => void } {
  let first: SeenOf<'up'> | undefined;
  let released = false;
  ctx.journal.listen((s) => {
    if (!first && s.kind === 'up' && isRequest(s)) first = s;
  });
  ctx.kit.withhold = (topic, json) =>
    !released &&
    first !== undefined &&
    topic.endsWith('/down/response') &&
    field(json, 'corr') === field(first.json, 'id');
  return {
    first: () => first,
    release: () => {
      released = true;
    },
  };
}

/**
 * The kit can only see requests the device sends by itself: it asks the operator to make it send one
 * (tap the kit's test card). None in time: the request clauses are "not observed", never passed.
 */
export async function request(ctx: RunContext, armed: ReturnType<typeof armRequestResend>): Promise<void> {
  const { journal, opts } = ctx;
  let first = armed.first();
  if (!first) {
    await ctx.born();
    const ops = requestOpsOf(opts.module);
    const text =
      `make ${opts.id} send a request now (${ops.join(', ')}): e.g. tap the kit's test card ${KIT_CARD_UID} ` +
      `at it. The kit keeps the first answer back to see the request resent; waiting ${opts.requestWaitS} s`;
    opts.say(text);
    opts.prompt?.({ action: 'request', text, cardUid: KIT_CARD_UID, ops });
    first = await journal.next('up', isRequest, opts.requestWaitS * 1000, journal.mark());
  }
  if (!first) {
    armed.release();
    ctx.set('request-resend', 'not_observed', `no request within ${opts.requestWaitS} s`);
    return;
  }
  const body = field(first.json, 'body');
  const txn = field(first.json, 'txn');
  const from = journal.entries.indexOf(first) + 1;
  const resend = await journal.next(
    'up',
    (u) => isRequest(u) && !u.dup && (field(u.json, 'txn') === txn || isDeepStrictEqual(field(u.json, 'body'), body)),
    RESEND_WITHIN_MS,
    from,
  );
  armed.release();
  if (!resend) {
    ctx.set('request-resend', 'fail', `no resend within ${RESEND_WITHIN_MS / 1000} s of a request left unanswered`);
    return;
  }
  // the device gets its answer now: the run goes on once it has it (or after 5 s)
  await journal.next('down', (d) => field(d.json, 'corr') === field(resend.json, 'id'), 5000, from);
  const waitedMs = Math.round(resend.at - first.at);
  const problems: string[] = [];
  if (field(resend.json, 'txn') !== txn)
    problems.push(`resent under txn ${JSON.stringify(field(resend.json, 'txn'))}, not ${JSON.stringify(txn)}`);
  if (field(resend.json, 'id') === field(first.json, 'id'))
    problems.push('resent with the same id (a retry is a new message)');
  if (!isDeepStrictEqual(field(resend.json, 'body'), body)) problems.push('resent with another body');
  ctx.set(
    'request-resend',
    problems.length ? 'fail' : 'pass',
    problems.length
      ? problems.join('; ')
      : `${String(field(body, 'op'))} resent after ${waitedMs} ms with a new id, txn ${String(txn)} and the same body`,
  );
}
