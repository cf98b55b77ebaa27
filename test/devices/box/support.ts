import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../../gateway/core/log.ts';

export interface LogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger (with the gateway's redaction) whose lines tests can read back. */
export function recordingLog() {
  const records: LogRecord[] = [];
  const log = createLogger({
    level: 'debug',
    destination: { write: (s: string) => void records.push(JSON.parse(s) as LogRecord) },
  });
  return { log, records, messages: () => records.map((r) => r.msg) };
}

/** Polls until `cond` holds; fails with `what` after `timeoutMs`. For state that has no event to await. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Writes a fake /sys/class/gpio tree: one gpiochip<base> directory per chip. */
export function writeSysfs(root: string, chips: { base: number | string; ngpio: number; label?: string }[]): string {
  for (const c of chips) {
    const dir = join(root, `gpiochip${c.base}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'base'), `${c.base}\n`);
    writeFileSync(join(dir, 'ngpio'), `${c.ngpio}\n`);
    if (c.label !== undefined) writeFileSync(join(dir, 'label'), `${c.label}\n`);
  }
  writeFileSync(join(root, 'export'), '');
  writeFileSync(join(root, 'unexport'), '');
  return root;
}

/** A fake onoff module: records every Gpio constructed; `failOn` makes construction throw for those numbers. */
export function fakeOnoff(opts: { accessible?: boolean; failOn?: Record<number, string> } = {}) {
  const gpios: FakeOnoffGpio[] = [];
  class FakeOnoffGpio {
    static get accessible() {
      return opts.accessible ?? true;
    }
    value = 0;
    writes: number[] = [];
    unexported = false;
    watcher: ((err: Error | null, v: number) => void) | undefined;
    constructor(
      readonly gpio: number,
      readonly direction: string,
      readonly edge?: string,
      readonly options?: { activeLow?: boolean },
    ) {
      const fail = opts.failOn?.[gpio];
      if (fail) throw new Error(fail);
      if (direction === 'high') this.value = 1;
      gpios.push(this);
    }
    readSync() {
      return this.value;
    }
    writeSync(v: number) {
      this.value = v;
      this.writes.push(v);
    }
    watch(cb: (err: Error | null, v: number) => void) {
      this.watcher = cb;
    }
    unexport() {
      this.unexported = true;
    }
    /** The hardware changes the input level. */
    drive(v: number) {
      this.value = v;
      this.watcher?.(null, v);
    }
  }
  return { module: { Gpio: FakeOnoffGpio }, gpios, byNumber: (n: number) => gpios.find((g) => g.gpio === n) };
}
