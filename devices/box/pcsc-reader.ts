import { fork, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  emitCard,
  normalizeUid,
  type BoxLog,
  type CardEvent,
  type CardReader,
  type ReaderHealth,
} from './card-reader.ts';
import { CHILD_ENV, ChildMessageSchema, type ChildMessage, type ParentMessage } from './pcsc-messages.ts';
import { systemTimers, type TimerHandle, type Timers } from './timers.ts';

export const DEFAULT_PCSCD_SOCKET = '/run/pcscd/pcscd.comm';
export const PCSCD_MISSING = 'pcscd is not running (install and start the Debian package pcscd)';
const DEFAULT_CHILD_ENTRY = fileURLToPath(new URL('./pcsc-child.mjs', import.meta.url));

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface PcscReaderOptions {
  log: BoxLog;
  /** pcscd's socket; with systemd socket activation it exists before the daemon runs, which is enough. */
  socketPath?: string;
  /** How often to look for pcscd again while it is missing. */
  daemonCheckIntervalMs?: number;
  pingIntervalMs?: number;
  /** A child that has not answered a ping for this long is busy-looping: SIGKILL. */
  watchdogMs?: number;
  /**
   * Time from fork to the child's first message (Node itself may
   * start slowly on a busy board); then `watchdogMs` applies.
   */
  startTimeoutMs?: number;
  /** After the child is ready, how long a reader may take to show up before health says none is attached. */
  readerGraceMs?: number;
  /** A child that ran this long after `ready` counts as healthy: the back-off starts again from `initialMs`. */
  stableAfterMs?: number;
  /** How long `stop()` waits for the child to exit after asking it to, before SIGKILL. */
  stopGraceMs?: number;
  backoff?: Backoff;
  timers?: Timers;
  /** Test seams: another child script, its argv and extra environment. */
  childEntry?: string;
  childArgs?: string[];
  childEnv?: Record<string, string>;
  daemonPresent?: (socketPath: string) => boolean;
}

/** Delay before restart number `failures + 1`: initial × factor^failures, capped. Pure. */
export function restartDelayMs(failures: number, b: Backoff): number {
  return Math.min(b.maxMs, Math.round(b.initialMs * b.factor ** Math.max(0, failures)));
}

/** The options that were given, so an explicit `undefined` does not override a default. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** True when `path` is a Unix socket (what pcscd, or systemd's pcscd.socket, listens on). */
function socketExists(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

interface Child {
  proc: ChildProcess;
  readyAt?: number;
  /** Set by the first valid message: from then on the shorter `watchdogMs` applies. */
  alive: boolean;
  lastPongAt: number;
  seq: number;
  readers: Set<string>;
  /** The reason this child gave or we found for it not working; kept for health after it exits. */
  reason?: string;
  stderrTail: string;
  exited: boolean;
}

/**
 * PC/SC card reader (ACR122U and other CCID readers) through nfc-pcsc in a child process, so that a
 * missing pcscd or a hung native call can never freeze the gateway. Never throws into its caller.
 */
export class PcscCardReader implements CardReader {
  private readonly o: Required<Omit<PcscReaderOptions, 'childArgs' | 'childEnv'>> &
    Pick<PcscReaderOptions, 'childArgs' | 'childEnv'>;
  private readonly listeners: ((ev: CardEvent) => void)[] = [];
  private current: ReaderHealth = { state: 'starting' };
  private child: Child | undefined;
  private running = false;
  private failures = 0;
  private retryTimer: TimerHandle | undefined;
  private pingTimer: TimerHandle | undefined;
  private graceTimer: TimerHandle | undefined;
  private readonly killOnExit = () => this.child?.proc.kill('SIGKILL');

  constructor(opts: PcscReaderOptions) {
    this.o = {
      socketPath: DEFAULT_PCSCD_SOCKET,
      daemonCheckIntervalMs: 10_000,
      pingIntervalMs: 1_000,
      watchdogMs: 5_000,
      startTimeoutMs: 15_000,
      readerGraceMs: 3_000,
      stableAfterMs: 60_000,
      stopGraceMs: 1_000,
      backoff: { initialMs: 1_000, maxMs: 300_000, factor: 2 },
      timers: systemTimers,
      childEntry: DEFAULT_CHILD_ENTRY,
      daemonPresent: socketExists,
      ...definedOnly(opts),
      log: opts.log,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    process.on('exit', this.killOnExit);
    this.attempt();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    process.off('exit', this.killOnExit);
    this.clearTimers();
    const c = this.child;
    if (c && !c.exited) {
      await new Promise<void>((resolve) => {
        c.proc.once('exit', () => resolve());
        this.send(c, { type: 'stop' });
        const t = this.o.timers.setTimeout(() => c.proc.kill('SIGKILL'), this.o.stopGraceMs);
        c.proc.once('exit', () => this.o.timers.clearTimeout(t));
      });
    }
    this.child = undefined;
    this.setHealth({ state: 'disabled' });
  }

  onCard(fn: (ev: CardEvent) => void): void {
    this.listeners.push(fn);
  }

  health(): ReaderHealth {
    return { ...this.current };
  }

  /** Checks for pcscd, then spawns the child; reschedules itself while pcscd is missing. */
  private attempt(): void {
    this.retryTimer = undefined;
    if (!this.running) return;
    if (!this.o.daemonPresent(this.o.socketPath)) {
      this.setHealth({ state: 'unavailable', warning: PCSCD_MISSING });
      this.retryTimer = this.o.timers.setTimeout(() => this.attempt(), this.o.daemonCheckIntervalMs);
      return;
    }
    try {
      this.spawn();
    } catch (err) {
      this.setHealth({
        state: 'unavailable',
        warning: `could not start the NFC reader process: ${(err as Error).message}`,
      });
      this.scheduleRestart();
    }
  }

  private spawn(): void {
    const proc = fork(this.o.childEntry, this.o.childArgs ?? [], {
      // The child is plain .mjs: no loader, and none of the parent's flags (--inspect, tsx) leak in.
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: {
        ...process.env,
        [CHILD_ENV.parentTimeoutMs]: String(Math.max(30_000, this.o.watchdogMs * 4)),
        ...this.o.childEnv,
      },
    });
    const c: Child = {
      proc,
      alive: false,
      lastPongAt: this.o.timers.now(),
      seq: 0,
      readers: new Set(),
      stderrTail: '',
      exited: false,
    };
    this.child = c;
    // A restart keeps reporting the last problem until the new child proves itself: no flapping, one log line.
    if (this.current.state !== 'unavailable') this.setHealth({ state: 'starting' });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (s: string) => {
      c.stderrTail = (c.stderrTail + s).slice(-2_000);
    });
    proc.on('message', (raw) => this.onMessage(c, raw));
    proc.on('error', (err) => {
      this.o.log.warn({ err, component: 'nfc' }, 'NFC reader process error');
      // A fork that never started emits 'error' and no 'exit'.
      if (proc.pid === undefined) this.onExit(c, null, null);
    });
    proc.on('exit', (code, signal) => this.onExit(c, code, signal));
    this.pingTimer = this.o.timers.setInterval(() => this.watchdog(c), this.o.pingIntervalMs);
  }

  /** Pings the child; one that has not answered within `watchdogMs` is stuck (busy-looping) and is killed. */
  private watchdog(c: Child): void {
    if (c !== this.child || c.exited) return;
    const silentMs = this.o.timers.now() - c.lastPongAt;
    if (silentMs > (c.alive ? this.o.watchdogMs : this.o.startTimeoutMs)) {
      c.reason = c.alive
        ? `the NFC reader process did not answer for ${silentMs} ms and was killed ` +
          '(the PC/SC library hangs like this when pcscd is down)'
        : `the NFC reader process did not start within ${silentMs} ms and was killed`;
      this.setHealth({ state: 'unavailable', warning: c.reason });
      c.proc.kill('SIGKILL');
      return;
    }
    c.seq += 1;
    this.send(c, { type: 'ping', seq: c.seq });
  }

  private onMessage(c: Child, raw: unknown): void {
    if (c !== this.child) return;
    const parsed = ChildMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.o.log.warn(
        { component: 'nfc', issues: parsed.error.issues.slice(0, 3) },
        'ignored a malformed message from the NFC reader process',
      );
      return;
    }
    if (!c.alive) {
      c.alive = true;
      c.lastPongAt = this.o.timers.now();
    }
    this.handle(c, parsed.data);
  }

  private handle(c: Child, m: ChildMessage): void {
    switch (m.type) {
      case 'pong':
        c.lastPongAt = this.o.timers.now();
        return;
      case 'ready':
        c.readyAt = this.o.timers.now();
        c.lastPongAt = c.readyAt;
        this.graceTimer = this.o.timers.setTimeout(() => this.readerHealth(c), this.o.readerGraceMs);
        return;
      case 'reader':
        if (m.event === 'attached') c.readers.add(m.reader);
        else c.readers.delete(m.reader);
        this.o.log.info({ component: 'nfc', reader: m.reader }, `NFC reader ${m.event}`);
        if (c.readers.size > 0 || this.current.state !== 'starting') this.readerHealth(c);
        return;
      case 'card': {
        const uid = normalizeUid(m.uid);
        if (uid === undefined) {
          this.o.log.warn({ component: 'nfc', reader: m.reader }, 'ignored a card with a malformed UID');
          return;
        }
        emitCard(this.listeners, { uid, reader: m.reader, at: this.o.timers.now() }, this.o.log);
        return;
      }
      case 'unavailable':
        c.reason = m.reason;
        this.setHealth({ state: 'unavailable', warning: m.reason });
        return;
      case 'error':
        this.o.log.warn({ component: 'nfc', detail: m.message }, 'NFC reader reported a problem');
        return;
    }
  }

  private readerHealth(c: Child): void {
    if (c !== this.child || c.exited) return;
    if (c.readers.size > 0) this.setHealth({ state: 'ok' });
    else
      this.setHealth({
        state: 'unavailable',
        warning: 'pcscd is running but no NFC reader is attached (plug the ACR122U into a USB port)',
      });
  }

  private onExit(c: Child, code: number | null, signal: NodeJS.Signals | null): void {
    if (c.exited) return;
    c.exited = true;
    if (c !== this.child) return;
    this.clearTimers();
    if (!this.running) return;
    if (c.readyAt !== undefined && this.o.timers.now() - c.readyAt >= this.o.stableAfterMs) this.failures = 0;
    if (c.reason === undefined) {
      const last = c.stderrTail.trim().split('\n').pop();
      c.reason = `the NFC reader process exited (${signal ?? `code ${code}`})${last ? `: ${last.slice(0, 200)}` : ''}`;
      this.setHealth({ state: 'unavailable', warning: c.reason });
    }
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delayMs = restartDelayMs(this.failures, this.o.backoff);
    this.failures += 1;
    this.o.log.info(
      { component: 'nfc', delayMs, failures: this.failures },
      'restarting the NFC reader process after a delay',
    );
    this.retryTimer = this.o.timers.setTimeout(() => this.attempt(), delayMs);
  }

  private send(c: Child, msg: ParentMessage): void {
    if (!c.proc.connected) return;
    try {
      c.proc.send(msg, (err) => {
        if (err) this.o.log.debug({ err, component: 'nfc' }, 'could not reach the NFC reader process');
      });
    } catch {
      // Channel closed between the check and the send: the exit handler takes it from here.
    }
  }

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.graceTimer]) if (t !== undefined) this.o.timers.clearTimeout(t);
    if (this.pingTimer !== undefined) this.o.timers.clearInterval(this.pingTimer);
    this.retryTimer = this.graceTimer = this.pingTimer = undefined;
  }

  /** Changes health and logs each change once (no log line per retry while nothing changes). */
  private setHealth(h: ReaderHealth): void {
    if (h.state === this.current.state && h.warning === this.current.warning) return;
    this.current = h;
    if (h.state === 'unavailable')
      this.o.log.warn({ component: 'nfc', state: h.state }, h.warning ?? 'NFC reader unavailable');
    else this.o.log.info({ component: 'nfc', state: h.state }, `NFC reader ${h.state}`);
  }
}
