import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlertWebhooksConfigSchema } from '../../../gateway/alerts/webhooks/webhook-config.ts';
import { AlertWebhooks } from '../../../gateway/alerts/webhooks/webhook-sender.ts';
import { ManualClock } from '../../../gateway/core/clock.ts';
import { createLogger } from '../../../gateway/core/log.ts';
import { notice, RAISED_AT } from './fixtures.ts';
import { ManualTimers } from './manual-timers.ts';
import { type Answer, Receiver } from './receiver.ts';

const OK = { status: 200, body: { errcode: 0, errmsg: 'ok' } };

interface Setup {
  webhooks: AlertWebhooks;
  timers: ManualTimers;
  clock: ManualClock;
  logs: string[];
}

const started: { receivers: Receiver[]; setups: Setup[] } = { receivers: [], setups: [] };

afterEach(async () => {
  for (const { webhooks, timers } of started.setups.splice(0)) {
    const stopping = webhooks.stop();
    // requests left hanging are cut after the stop's grace, which runs on the test's timers
    timers.advance(2000);
    await stopping;
  }
  for (const r of started.receivers.splice(0)) await r.close();
});

async function receiver(answer?: (path: string, n: number) => Answer): Promise<Receiver> {
  const r = await new Receiver(answer).start();
  started.receivers.push(r);
  return r;
}

function setup(config: unknown, random = () => 0.5): Setup {
  const clock = new ManualClock(RAISED_AT + 5_000);
  const timers = new ManualTimers(clock);
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(s) } });
  const webhooks = new AlertWebhooks({
    config: AlertWebhooksConfigSchema.parse(config),
    log,
    clock,
    timers,
    random,
    communityName: '阳光花园',
  });
  const s = { webhooks, timers, clock, logs };
  started.setups.push(s);
  return s;
}

const stat = (w: AlertWebhooks, name: string) => {
  const s = w.stats().find((x) => x.name === name);
  if (!s) throw new Error(`no target ${name}`);
  return s;
};

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('AlertWebhooks', () => {
  it('delivers each format to a real HTTP endpoint, signed where a secret is set', async () => {
    const r = await receiver((path) =>
      path.startsWith('/feishu') ? { status: 200, body: { code: 0, msg: 'success', data: {} } } : OK,
    );
    const { webhooks, clock } = setup({
      targets: [
        { name: 'wecom', format: 'wecom', url: r.url('/wecom?key=k1') },
        { name: 'ding', format: 'dingtalk', url: r.url('/ding?access_token=t1'), secret: 'SECding' },
        { name: 'feishu', format: 'feishu', url: r.url('/feishu/hook/tok'), secret: 'fs-secret' },
        { name: 'json', format: 'json', url: r.url('/json'), language: 'en' },
      ],
    });
    webhooks.notify(notice('raised'));
    await vi.waitFor(() => expect(webhooks.stats().map((s) => s.sent)).toEqual([1, 1, 1, 1]));

    expect(r.on('/wecom?key=k1')[0]?.body.msgtype).toBe('markdown');
    expect(r.on('/wecom?key=k1')[0]?.body.markdown.content).toContain('【严重】设备 快递柜A (locker-1)');
    expect(r.on('/wecom?key=k1')[0]?.headers['content-type']).toMatch(/^application\/json/);

    const ding = r.received.find((x) => x.path.startsWith('/ding'));
    const q = new URL(`http://x${ding?.path}`).searchParams;
    const now = clock.now();
    expect(q.get('access_token')).toBe('t1');
    expect(q.get('timestamp')).toBe(String(now));
    expect(q.get('sign')).toBe(createHmac('sha256', 'SECding').update(`${now}\nSECding`).digest('base64'));
    expect(ding?.body.markdown.title).toContain('柜门已开 12 分钟');

    const feishu = r.on('/feishu/hook/tok')[0]?.body;
    const ts = Math.floor(now / 1000);
    expect(feishu.timestamp).toBe(String(ts));
    expect(feishu.sign).toBe(createHmac('sha256', `${ts}\nfs-secret`).digest('base64'));
    expect(feishu.msg_type).toBe('interactive');

    const json = r.on('/json')[0]?.body;
    expect(json.alert.key).toBe('device:locker-1:door.open');
    expect(json.text).toContain('[CRITICAL] device');
    expect(stat(webhooks, 'json')).toMatchObject({
      failedAttempts: 0,
      queued: 0,
      lastSuccessAt: now,
      host: r.url('').slice(7),
    });
  });

  it('retries after 500s with exponential back-off, then delivers', async () => {
    const r = await receiver((_path, n) => (n < 2 ? { status: 500, body: 'oops' } : OK));
    const { webhooks, timers } = setup({ targets: [{ name: 'w', format: 'wecom', url: r.url('/w?key=k') }] });
    webhooks.notify(notice('raised'));
    await vi.waitFor(() => expect(stat(webhooks, 'w').failedAttempts).toBe(1));
    expect(timers.delays()).toEqual([2000]);
    expect(stat(webhooks, 'w')).toMatchObject({ lastError: 'HTTP 500', queued: 1, sent: 0 });

    timers.advance(1999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.received).toHaveLength(1);
    timers.advance(1);
    await vi.waitFor(() => expect(stat(webhooks, 'w').failedAttempts).toBe(2));
    expect(r.received).toHaveLength(2);
    expect(timers.delays()).toEqual([4000]);

    timers.advance(4000);
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(1));
    expect(r.received).toHaveLength(3);
    expect(stat(webhooks, 'w')).toMatchObject({ queued: 0, failedAttempts: 2 });
    expect(timers.delays()).toEqual([]);
  });

  it('doubles the back-off up to its cap, jitters it, and gives up after maxAttempts with an error', async () => {
    const r = await receiver(() => ({ status: 503 }));
    const { webhooks, timers, logs } = setup(
      {
        targets: [{ name: 'w', format: 'json', url: r.url('/j') }],
        maxAttempts: 6,
        retryBaseMs: 1000,
        retryMaxMs: 10_000,
      },
      () => 1, // the most jitter: +20 %
    );
    webhooks.notify(notice('raised'));
    const seen: number[] = [];
    for (let attempt = 1; attempt < 6; attempt++) {
      await vi.waitFor(() => expect(stat(webhooks, 'w').failedAttempts).toBe(attempt));
      seen.push(...timers.delays());
      timers.advance(timers.delays()[0] ?? 0);
    }
    await vi.waitFor(() => expect(stat(webhooks, 'w').gaveUp).toBe(1));
    expect(seen).toEqual([1200, 2400, 4800, 9600, 12_000]);
    expect(r.received).toHaveLength(6);
    expect(stat(webhooks, 'w')).toMatchObject({ queued: 0, failedAttempts: 6, sent: 0, lastError: 'HTTP 503' });
    expect(logs.filter((l) => l.includes('"level":40'))).toHaveLength(5);
    expect(logs.filter((l) => l.includes('"level":50') && l.includes('gave up'))).toHaveLength(1);
  });

  it('counts errcode != 0 in a 200 answer as a failure', async () => {
    const r = await receiver((_p, n) =>
      n === 0 ? { status: 200, body: { errcode: 310000, errmsg: 'keywords not in content' } } : OK,
    );
    const { webhooks, timers } = setup({
      targets: [{ name: 'd', format: 'dingtalk', url: r.url('/d?access_token=t') }],
    });
    webhooks.notify(notice('raised'));
    await vi.waitFor(() => expect(stat(webhooks, 'd').failedAttempts).toBe(1));
    expect(stat(webhooks, 'd').lastError).toBe('errcode 310000: keywords not in content');
    timers.advance(2000);
    await vi.waitFor(() => expect(stat(webhooks, 'd').sent).toBe(1));
  });

  it('sends an alert’s transition once per dedupe window, and again after it', async () => {
    const r = await receiver(() => OK);
    const { webhooks, timers } = setup({ targets: [{ name: 'w', format: 'wecom', url: r.url('/w') }] });
    webhooks.notify(notice('raised'));
    webhooks.notify(notice('raised'));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(1));
    webhooks.notify(notice('raised'));
    timers.advance(9 * 60_000);
    webhooks.notify(notice('raised'));
    expect(stat(webhooks, 'w')).toMatchObject({ deduplicated: 3, queued: 0 });
    // another alert is not held back by this one
    webhooks.notify(notice('raised', { key: 'device:locker-2:door.open', deviceId: 'locker-2' }));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(2));
    timers.advance(60_000);
    webhooks.notify(notice('raised'));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(3));
    expect(r.received).toHaveLength(3);
  });

  it('does not queue an alert again while it is still being retried, however long that takes', async () => {
    const r = await receiver((_p, n) => (n < 3 ? { status: 500 } : OK));
    const { webhooks, timers } = setup({
      targets: [{ name: 'w', format: 'json', url: r.url('/j') }],
      dedupeWindowS: 5,
    });
    webhooks.notify(notice('raised'));
    for (let attempt = 1; attempt <= 3; attempt++) {
      await vi.waitFor(() => expect(stat(webhooks, 'w').failedAttempts).toBe(attempt));
      timers.advance(timers.delays()[0] ?? 0);
      webhooks.notify(notice('raised'));
    }
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(1));
    expect(stat(webhooks, 'w')).toMatchObject({ deduplicated: 3, queued: 0 });
    expect(r.received).toHaveLength(4);
  });

  it('keeps each target in order with one request at a time; a cleared follows its queued raise', async () => {
    const r = await receiver((path, n) => (path === '/slow' && n === 0 ? 'hang' : OK));
    const { webhooks } = setup({
      targets: [
        { name: 'slow', format: 'wecom', url: r.url('/slow') },
        { name: 'fast', format: 'wecom', url: r.url('/fast') },
      ],
    });
    webhooks.notify(notice('raised', { key: 'a', message: 'first' }));
    webhooks.notify(notice('raised', { key: 'b', message: 'second' }));
    webhooks.notify(notice('cleared', { key: 'a', message: 'first' }));
    await vi.waitFor(() => expect(stat(webhooks, 'fast').sent).toBe(3));
    expect(r.on('/slow')).toHaveLength(1);
    expect(stat(webhooks, 'slow').queued).toBe(3);
    r.release();
    await vi.waitFor(() => expect(stat(webhooks, 'slow').sent).toBe(3));
    const order = (path: string) => r.on(path).map((x) => x.body.markdown.content.split('\n')[0]);
    const expected = [
      '【严重】设备 快递柜A (locker-1): door.open — first',
      '【严重】设备 快递柜A (locker-1): door.open — second',
    ];
    expect(
      order('/slow')
        .slice(0, 2)
        .map((l: string) => l.replaceAll('*', '')),
    ).toEqual(expected);
    expect(order('/slow')[2]).toContain('已恢复');
    expect(order('/fast')).toEqual(order('/slow'));
  });

  it('times out a receiver that never answers, and retries', async () => {
    const r = await receiver((_p, n) => (n === 0 ? 'hang' : OK));
    const { webhooks, timers } = setup({
      targets: [{ name: 'w', format: 'json', url: r.url('/j'), timeoutMs: 1000 }],
    });
    webhooks.notify(notice('raised'));
    await vi.waitFor(() => expect(r.received).toHaveLength(1));
    expect(timers.delays()).toEqual([1000]);
    timers.advance(1000);
    await vi.waitFor(() => expect(stat(webhooks, 'w').failedAttempts).toBe(1));
    expect(stat(webhooks, 'w').lastError).toBe('no answer within 1000 ms');
    timers.advance(2000);
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(1));
  });

  it('bounds the queue per target, dropping the oldest with a counted warning', async () => {
    const r = await receiver((_p, n) => (n === 0 ? 'hang' : OK));
    const { webhooks, logs } = setup({ targets: [{ name: 'w', format: 'json', url: r.url('/j') }], queueLimit: 3 });
    for (let i = 1; i <= 6; i++) webhooks.notify(notice('raised', { key: `k${i}` }));
    expect(stat(webhooks, 'w')).toMatchObject({ dropped: 2, queued: 4 });
    const warnings = logs.filter((l) => l.includes('queue full')).map((l) => JSON.parse(l).dropped);
    expect(warnings).toEqual([1, 2]);
    await vi.waitFor(() => expect(r.received).toHaveLength(1));
    r.release(204);
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(4));
    expect(r.received.map((x) => x.body.alert.key)).toEqual(['k1', 'k4', 'k5', 'k6']);
    // a dropped message was never sent, so the same alert may go when it comes again
    webhooks.notify(notice('raised', { key: 'k2' }));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(5));
  });

  it('sends only the severities and transitions a target asked for', async () => {
    const r = await receiver(() => OK);
    const { webhooks } = setup({
      targets: [
        { name: 'critical', format: 'wecom', url: r.url('/c'), severities: ['critical'], transitions: ['raised'] },
        { name: 'all', format: 'wecom', url: r.url('/a'), severities: ['critical', 'warning', 'info'] },
      ],
    });
    webhooks.notify(notice('raised', { key: 'w', severity: 'warning' }));
    webhooks.notify(notice('acknowledged', { key: 'c' }));
    webhooks.notify(notice('cleared', { key: 'c' }));
    webhooks.notify(notice('raised', { key: 'i', severity: 'info' }));
    webhooks.notify(notice('raised', { key: 'c' }));
    await vi.waitFor(() => expect(stat(webhooks, 'all').sent).toBe(4));
    await vi.waitFor(() => expect(stat(webhooks, 'critical').sent).toBe(1));
    expect(r.on('/c')[0]?.body.markdown.content).toMatch(/^\*\*【严重】/);
    expect(r.on('/a').map((x) => x.body.markdown.content.slice(2, 8))).toEqual([
      '【警告】设备',
      '【严重·已恢',
      '【提示】设备',
      '【严重】设备',
    ]);
  });

  it('never throws or blocks in notify, even for an unreachable endpoint or a malformed notice', async () => {
    const port = await closedPort();
    const { webhooks, logs } = setup({
      targets: [
        { name: 'w', format: 'wecom', url: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=KEY-UNREACH-42` },
      ],
    });
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) webhooks.notify(notice('raised', { key: `k${i}` }));
    expect(performance.now() - t0).toBeLessThan(200);
    expect(() => webhooks.notify({} as any)).not.toThrow();
    expect(() => webhooks.notify(null as any)).not.toThrow();
    await vi.waitFor(() => expect(stat(webhooks, 'w').failedAttempts).toBe(1));
    expect(stat(webhooks, 'w').lastError).toMatch(/ECONNREFUSED/);
    expect(logs.join('')).toContain('could not queue a notice');
    expect(logs.join('')).not.toContain('KEY-UNREACH-42');
  });

  it('never logs the URL’s token, the path token or the signing secret', async () => {
    const r = await receiver((path) =>
      path.startsWith('/robot')
        ? { status: 200, body: { errcode: 300001, errmsg: 'token is not exist' } }
        : { status: 500 },
    );
    const { webhooks, timers, logs } = setup({
      maxAttempts: 2,
      targets: [
        {
          name: 'ding',
          format: 'dingtalk',
          url: r.url('/robot/send?access_token=TOKEN-abc123-SECRET'),
          secret: 'SEC-do-not-log-me',
        },
        {
          name: 'fs',
          format: 'feishu',
          url: r.url('/open-apis/bot/v2/hook/PATH-TOKEN-0123456789'),
          secret: 'FS-hidden',
        },
      ],
    });
    webhooks.notify(notice('raised'));
    await vi.waitFor(() => expect(webhooks.stats().map((s) => s.failedAttempts)).toEqual([1, 1]));
    timers.advance(2000);
    await vi.waitFor(() => expect(webhooks.stats().map((s) => s.gaveUp)).toEqual([1, 1]));
    const text = logs.join('\n') + JSON.stringify(webhooks.stats());
    expect(text).toContain('"webhook":"ding"');
    expect(text).toContain('127.0.0.1');
    for (const secret of [
      'TOKEN-abc123-SECRET',
      'access_token',
      'SEC-do-not-log-me',
      'PATH-TOKEN-0123456789',
      'FS-hidden',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('stop() cancels retries, waits at most its grace for requests on the wire, ignores later notices', async () => {
    const r = await receiver((path) => (path === '/hang' ? 'hang' : { status: 500 }));
    const { webhooks, timers } = setup({
      targets: [
        { name: 'hang', format: 'json', url: r.url('/hang'), timeoutMs: 60_000 },
        { name: 'fail', format: 'json', url: r.url('/fail') },
      ],
    });
    webhooks.notify(notice('raised'));
    await vi.waitFor(() => expect(stat(webhooks, 'fail').failedAttempts).toBe(1));
    await vi.waitFor(() => expect(r.on('/hang')).toHaveLength(1));
    let done = false;
    const stopping = webhooks.stop().then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    expect(timers.delays()).toEqual([2000, 60_000]); // the grace and the hanging request's timeout; no retry
    timers.advance(2000);
    await stopping;
    webhooks.notify(notice('cleared'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.received).toHaveLength(2);
    expect(stat(webhooks, 'fail').queued).toBe(1);
  });
});

describe('AlertWebhooks de-duplication keeps the chat’s last word the alert’s latest transition', () => {
  const WINDOW_MS = 60_000;
  const transitions = (r: Receiver) => r.received.map((x) => x.body.transition);
  /** Alert keys a target still remembers; white-box, to show the state does not grow without bound. */
  const remembered = (w: AlertWebhooks) =>
    (w as unknown as { targets: { keys: Map<string, unknown> }[] }).targets.map((t) => t.keys.size);

  async function jsonTarget() {
    const r = await receiver(() => OK);
    const s = setup({ targets: [{ name: 'w', format: 'json', url: r.url('/j') }], dedupeWindowS: WINDOW_MS / 1000 });
    return { r, ...s };
  }

  it('raised, cleared, raised inside the window ends on raised once raised’s window has passed', async () => {
    const { r, webhooks, timers } = await jsonTarget();
    webhooks.notify(notice('raised', { message: 'open 1' }));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(1));
    timers.advance(10_000);
    webhooks.notify(notice('cleared'));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(2));
    timers.advance(10_000);
    webhooks.notify(notice('raised', { message: 'open 2' }));
    // Chosen sequence: raised, cleared, raised. The first two are different transitions, so each goes at once
    // as before; the second raised repeats one sent 20 s ago, so it is held (not dropped) and goes when
    // raised's window ends: no transition reaches the chat twice in a window, and the chat ends on raised.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(transitions(r)).toEqual(['raised', 'cleared']);
    expect(timers.delays()).toEqual([WINDOW_MS - 20_000]);
    timers.advance(WINDOW_MS - 20_000 - 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.received).toHaveLength(2);
    timers.advance(1);
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(3));
    expect(transitions(r)).toEqual(['raised', 'cleared', 'raised']);
    // the held notice itself is sent, so the chat reads the alert as it is now
    expect(r.received[2]?.body.alert.message).toBe('open 2');
    expect(stat(webhooks, 'w')).toMatchObject({ deduplicated: 0, queued: 0 });
    expect(timers.delays()).toEqual([]);
  });

  it('a flapping alert sends its first raised and cleared, then one trailing message per window', async () => {
    const { r, webhooks, timers } = await jsonTarget();
    // 10 flaps within the window, the alert left open: 21 notices
    for (let i = 0; i < 10; i++) {
      webhooks.notify(notice('raised', { message: `open ${i}` }));
      webhooks.notify(notice('cleared'));
      // moving time with requests on the wire would run out their timeout
      if (i === 0) await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(2));
      timers.advance(1000);
    }
    webhooks.notify(notice('raised', { message: 'open 10' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stat(webhooks, 'w').sent).toBe(2);
    expect(timers.delays()).toEqual([WINDOW_MS - 10_000]);
    timers.advance(WINDOW_MS - 10_000);
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(3));
    expect(transitions(r)).toEqual(['raised', 'cleared', 'raised']);
    expect(r.received[2]?.body.alert.message).toBe('open 10');
    // every notice is either sent or counted as coalesced
    expect(stat(webhooks, 'w')).toMatchObject({ sent: 3, deduplicated: 18, queued: 0 });
    expect(timers.delays()).toEqual([]);

    // flapping on: the trailing raised opened a new window, so cleared (past its own window) goes at once
    // and the next raised waits for that window again
    webhooks.notify(notice('cleared'));
    webhooks.notify(notice('raised', { message: 'open 11' }));
    webhooks.notify(notice('cleared'));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(4));
    timers.advance(WINDOW_MS);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(transitions(r)).toEqual(['raised', 'cleared', 'raised', 'cleared']);
    expect(timers.delays()).toEqual([]);
  });

  it('a flap that ends as the chat already shows it sends no trailing message', async () => {
    const { r, webhooks, timers } = await jsonTarget();
    for (let i = 0; i < 10; i++) {
      webhooks.notify(notice('raised'));
      webhooks.notify(notice('cleared'));
    }
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(2));
    expect(timers.delays()).toEqual([]);
    timers.advance(WINDOW_MS);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(transitions(r)).toEqual(['raised', 'cleared']);
    expect(stat(webhooks, 'w').deduplicated).toBe(18);
  });

  it('sends a cleared alert that is raised again after the window at once, and forgets settled keys', async () => {
    const { r, webhooks, timers } = await jsonTarget();
    webhooks.notify(notice('raised'));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(1));
    timers.advance(30_000);
    webhooks.notify(notice('cleared'));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(2));
    // raised's window has passed though cleared's has not
    timers.advance(WINDOW_MS - 30_000);
    webhooks.notify(notice('raised'));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(3));
    expect(timers.delays()).toEqual([]);
    timers.advance(WINDOW_MS);
    webhooks.notify(notice('cleared'));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(4));
    expect(transitions(r)).toEqual(['raised', 'cleared', 'raised', 'cleared']);
    expect(stat(webhooks, 'w').deduplicated).toBe(0);

    expect(remembered(webhooks)).toEqual([1]);
    timers.advance(WINDOW_MS);
    // another alert's notice sweeps the first one's state, its windows over with nothing pending
    webhooks.notify(notice('raised', { key: 'other' }));
    expect(remembered(webhooks)).toEqual([1]);
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(5));
  });

  it('stop() cancels the held trailing messages: nothing is pending or sent afterwards', async () => {
    const { r, webhooks, timers } = await jsonTarget();
    webhooks.notify(notice('raised'));
    webhooks.notify(notice('cleared'));
    webhooks.notify(notice('raised'));
    webhooks.notify(notice('raised', { key: 'b' }));
    webhooks.notify(notice('cleared', { key: 'b' }));
    webhooks.notify(notice('raised', { key: 'b' }));
    await vi.waitFor(() => expect(stat(webhooks, 'w').sent).toBe(4));
    expect(timers.delays()).toEqual([WINDOW_MS, WINDOW_MS]);
    await webhooks.stop();
    expect(timers.delays()).toEqual([]);
    timers.advance(2 * WINDOW_MS);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.received).toHaveLength(4);
    expect(stat(webhooks, 'w').queued).toBe(0);
  });
});
