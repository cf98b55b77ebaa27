import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CardEvent } from '../../../devices/box/card-reader.ts';
import {
  PCSCD_MISSING,
  PcscCardReader,
  restartDelayMs,
  type PcscReaderOptions,
} from '../../../devices/box/pcsc-reader.ts';
import { tempDir } from '../../support/tmp.ts';
import { alive, recordingLog, waitFor } from './support.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tmp(): string {
  const t = tempDir('linli-pcsc-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A Unix socket where pcscd's would be, so the daemon check passes. */
async function fakePcscd(path: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

function reader(opts: Partial<PcscReaderOptions> & { socketPath: string }) {
  const rec = recordingLog();
  const r = new PcscCardReader({
    log: rec.log,
    pingIntervalMs: 50,
    watchdogMs: 400,
    startTimeoutMs: 4_000,
    readerGraceMs: 50,
    stopGraceMs: 200,
    backoff: { initialMs: 10_000, maxMs: 10_000, factor: 2 },
    ...opts,
  });
  cleanups.push(() => r.stop());
  return { r, ...rec };
}

const pids = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];

describe('PcscCardReader', () => {
  it('without pcscd: unavailable with an install hint, and it keeps checking until the daemon appears', async () => {
    const dir = tmp();
    const socketPath = join(dir, 'pcscd.comm');
    const { r } = reader({ socketPath, daemonCheckIntervalMs: 50, childEntry: fixture('cards-child.mjs') });
    r.start();
    expect(r.health()).toEqual({ state: 'unavailable', warning: PCSCD_MISSING });
    expect(PCSCD_MISSING).toBe('pcscd is not running (install and start the Debian package pcscd)');
    await fakePcscd(socketPath);
    await waitFor(() => r.health().state === 'ok', 'the reader to come up once pcscd exists');
  });

  it('the real child where nfc-pcsc is not installed reports why, and the reader is unavailable', async () => {
    const dir = tmp();
    const socketPath = join(dir, 'pcscd.comm');
    await fakePcscd(socketPath);
    // nfc-pcsc is an optional dependency that does not build here;
    // where it is installed, point the child at a missing module.
    const installed = existsSync(fileURLToPath(new URL('../../../node_modules/nfc-pcsc', import.meta.url)));
    const { r, messages } = reader({
      socketPath,
      childEnv: installed ? { LINLI_NFC_PCSC_MODULE: 'nfc-pcsc-absent-for-test' } : {},
    });
    r.start();
    await waitFor(() => messages().includes('restarting the NFC reader process after a delay'), 'the child to exit');
    expect(r.health()).toEqual({
      state: 'unavailable',
      warning: 'nfc-pcsc is not installed (needs Debian package libpcsclite-dev at install time, then npm install)',
    });
  });

  it(
    'cards from the child reach onCard with upper-case UIDs; ' +
      'malformed messages and a throwing listener are contained',
    async () => {
      const dir = tmp();
      const socketPath = join(dir, 'pcscd.comm');
      await fakePcscd(socketPath);
      const pidFile = join(dir, 'pids');
      const { r, messages } = reader({ socketPath, childEntry: fixture('cards-child.mjs'), childArgs: [pidFile] });
      const seen: CardEvent[] = [];
      r.onCard(() => {
        throw new Error('listener bug');
      });
      r.onCard((ev) => seen.push(ev));
      r.start();
      await waitFor(() => seen.length === 2 && r.health().state === 'ok', 'two cards and a reader');
      expect(seen.map((e) => [e.uid, e.reader])).toEqual([
        ['04A2B3C4D5E680', 'ACS ACR122U PICC Interface 00 00'],
        ['DEADBEEF', 'ACS ACR122U PICC Interface 00 00'],
      ]);
      expect(messages()).toEqual(
        expect.arrayContaining([
          'ignored a card with a malformed UID',
          'ignored a malformed message from the NFC reader process',
          'a card listener threw',
        ]),
      );
      const [pid] = pids(pidFile);
      expect(pid && alive(pid)).toBe(true);
      await r.stop();
      expect(r.health()).toEqual({ state: 'disabled' });
      expect(alive(pid as number)).toBe(false);
    },
  );

  it(
    'a child that busy-loops is killed by the watchdog and reported unavailable; ' + 'the parent stays responsive',
    async () => {
      const dir = tmp();
      const socketPath = join(dir, 'pcscd.comm');
      await fakePcscd(socketPath);
      const pidFile = join(dir, 'pids');
      const { r, messages } = reader({ socketPath, childEntry: fixture('hang-child.mjs'), childArgs: [pidFile] });
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      cleanups.push(() => clearInterval(ticker));
      r.start();
      await waitFor(() => pids(pidFile).length === 1, 'the child to answer once and start spinning');
      const spinningAt = Date.now();
      const ticksAtSpin = ticks;
      await waitFor(
        () => messages().includes('restarting the NFC reader process after a delay'),
        'the watchdog to kill the child',
      );
      // watchdogMs 400 + one ping interval, plus the time to reap the process.
      expect(Date.now() - spinningAt).toBeLessThan(2_000);
      expect(r.health()).toEqual({
        state: 'unavailable',
        warning: expect.stringMatching(/^the NFC reader process did not answer for \d+ ms and was killed/),
      });
      expect(ticks - ticksAtSpin).toBeGreaterThanOrEqual(5);
      expect(alive(pids(pidFile)[0] as number)).toBe(false);
    },
  );

  it('a child that hangs before it ever answers is killed after the start timeout', async () => {
    const dir = tmp();
    const socketPath = join(dir, 'pcscd.comm');
    await fakePcscd(socketPath);
    const { r, messages } = reader({ socketPath, childEntry: fixture('spin-at-once-child.mjs'), startTimeoutMs: 300 });
    r.start();
    expect(r.health()).toEqual({ state: 'starting' });
    await waitFor(
      () => messages().includes('restarting the NFC reader process after a delay'),
      'the start timeout to kill the child',
    );
    expect(r.health()).toEqual({
      state: 'unavailable',
      warning: expect.stringMatching(/^the NFC reader process did not start within \d+ ms and was killed$/),
    });
  });

  it('stop() does not wait forever for a hung child: SIGKILL after the grace time', async () => {
    const dir = tmp();
    const socketPath = join(dir, 'pcscd.comm');
    await fakePcscd(socketPath);
    const pidFile = join(dir, 'pids');
    const { r } = reader({
      socketPath,
      childEntry: fixture('hang-child.mjs'),
      childArgs: [pidFile],
      watchdogMs: 60_000,
    });
    r.start();
    await waitFor(() => pids(pidFile).length === 1, 'the child to start');
    const t = Date.now();
    await r.stop();
    expect(Date.now() - t).toBeLessThan(2_000);
    expect(alive(pids(pidFile)[0] as number)).toBe(false);
  });

  it('a child that crashes is restarted with exponential back-off, and the crash shows in health', async () => {
    const dir = tmp();
    const socketPath = join(dir, 'pcscd.comm');
    await fakePcscd(socketPath);
    const pidFile = join(dir, 'pids');
    const { r, records } = reader({
      socketPath,
      childEntry: fixture('crash-child.mjs'),
      childArgs: [pidFile],
      backoff: { initialMs: 100, maxMs: 300, factor: 2 },
    });
    r.start();
    await waitFor(() => pids(pidFile).length >= 4, 'four spawns', 4_000);
    await r.stop();
    const delays = records
      .filter((x) => x.msg === 'restarting the NFC reader process after a delay')
      .map((x) => x.delayMs);
    // Three restarts lie between four spawns: 100, 200, then 400 capped at 300.
    expect(delays.slice(0, 3)).toEqual([100, 200, 300]);
    expect(new Set(pids(pidFile)).size).toBe(pids(pidFile).length);
    // Logged once, not once per restart: health does not flap to "starting" between crashes.
    const warnings = records.filter((x) => x.level === 40).map((x) => x.msg);
    expect(warnings).toEqual(['the NFC reader process exited (code 1): boom: simulated crash in the PC/SC child']);
  });

  it(
    'a child killed from outside is restarted; ' +
      'one that ran stably before dying restarts at the initial delay again',
    async () => {
      const dir = tmp();
      const socketPath = join(dir, 'pcscd.comm');
      await fakePcscd(socketPath);
      const pidFile = join(dir, 'pids');
      const { r, records } = reader({
        socketPath,
        childEntry: fixture('cards-child.mjs'),
        childArgs: [pidFile],
        stableAfterMs: 300,
        backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
      });
      const delays = () =>
        records.filter((x) => x.msg === 'restarting the NFC reader process after a delay').map((x) => x.delayMs);
      r.start();
      await waitFor(() => r.health().state === 'ok' && pids(pidFile).length === 1, 'the first child');
      process.kill(pids(pidFile)[0] as number, 'SIGKILL'); // dies young: counts as a failure
      await waitFor(() => r.health().state === 'ok' && pids(pidFile).length === 2, 'the second child');
      expect(r.health()).toEqual({ state: 'ok' });
      await new Promise((resolve) => setTimeout(resolve, 400)); // longer than stableAfterMs
      process.kill(pids(pidFile)[1] as number, 'SIGKILL');
      await waitFor(() => delays().length === 2, 'the second restart');
      expect(delays()).toEqual([100, 100]);
      expect(
        records.find((x) => x.level === 40 && String(x.msg).startsWith('the NFC reader process exited'))?.msg,
      ).toBe('the NFC reader process exited (SIGKILL)');
    },
  );

  it('back-off grows by the factor up to the cap', () => {
    const b = { initialMs: 1_000, maxMs: 300_000, factor: 2 };
    expect([0, 1, 2, 3, 10, 30].map((n) => restartDelayMs(n, b))).toEqual([
      1_000, 2_000, 4_000, 8_000, 300_000, 300_000,
    ]);
  });
});
