import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const BIN = new URL('../../bin/linli.mjs', import.meta.url).pathname;

/** `linli <args> --config <file>`, resolving with stdout; a failure carries the CLI's stderr. */
export async function linli(config: string, ...args: string[]): Promise<string> {
  try {
    return (await run(process.execPath, [BIN, ...args, '--config', config], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`linli ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

/** `linli start` as a child process that the test kills with SIGKILL and starts again. */
export class GatewayProcess {
  private child: ChildProcess | undefined;
  /** Everything every run wrote to stderr: the test fails on an uncaught error in it. */
  stderr = '';
  /** Log lines at error level or above (pino's JSON on stdout), of every run; at most 200 kept. */
  readonly errorLines: string[] = [];
  private partial = '';
  starts = 0;

  constructor(
    private readonly config: string,
    private readonly healthUrl: string,
  ) {}

  /** Starts the gateway and resolves once it answers /healthz; rejects if it exits first or takes too long. */
  async start(timeoutMs = 30_000): Promise<number> {
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, 'start', '--config', this.config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.partial = '';
    child.stdout?.on('data', (b: Buffer) => this.scanLog(b.toString()));
    this.child = child;
    this.starts += 1;
    child.stderr?.on('data', (b: Buffer) => {
      this.stderr += b.toString();
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(new Error(`linli start exited (${code ?? signal}) before it was up:\n${this.stderr.slice(-2000)}`)),
      ),
    );
    exited.catch(() => undefined);
    const deadline = t0 + timeoutMs;
    for (;;) {
      const up = await Promise.race([
        fetch(this.healthUrl)
          .then((r) => r.ok)
          .catch(() => false),
        exited,
      ]);
      if (up) return Date.now() - t0;
      if (Date.now() > deadline) throw new Error(`linli start was not up within ${timeoutMs} ms (a hang?)`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private scanLog(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) {
      const level = /"level":(\d+)/.exec(l)?.[1];
      if (level && Number(level) >= 50 && this.errorLines.length < 200) this.errorLines.push(l.slice(0, 2000));
    }
  }

  /** False from the instant a kill is sent: the test does not wait for the exit to notice it. */
  get running(): boolean {
    return this.child !== undefined && !this.child.killed && this.child.exitCode === null;
  }

  /** SIGKILL at this very instant (from inside a device's callback): no await between the moment and the kill. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  /** Resolves once the process is gone. */
  async exited(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((r) => c.once('exit', () => r()));
  }

  /** Kills the process with `signal` and resolves once it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  }
}
