import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, stopChild, unitNodeOptions } from '../support.ts';

const root = new URL('../..', import.meta.url).pathname;

/** A broker under test in its own process: the gateway, or the bare echo floor. */
export interface Target {
  readonly name: 'linli' | 'echo';
  readonly url: string;
  readonly child: ChildProcess;
  /** The gateway's /healthz (undefined for the floor). */
  readonly healthz: string | undefined;
  /** The event loop's delay since the target started serving, as the process samples it itself. */
  loopLag(): Promise<{ p99Ms: number; maxMs: number }>;
  stop(): Promise<void>;
}

async function started(child: ChildProcess, ready: () => Promise<boolean>, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 4000) stderr += c.toString();
  });
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${stderr.trim()}`);
    if (await ready().catch(() => false)) return;
    if (performance.now() > deadline) throw new Error(`${what} did not start within 60 s: ${stderr.trim()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `linli start` (compiled dist/, plain node) on loopback ports, resolved once /healthz answers ready. */
export async function startLinli(
  config: string,
  ports?: { mqtt: number; http: number },
): Promise<Target & { spawnedAt: number; ports: { mqtt: number; http: number } }> {
  const [mqttPort, httpPort] = ports ? [ports.mqtt, ports.http] : [await freePort(), await freePort()];
  const spawnedAt = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...unitNodeOptions(),
      join(root, 'bin', 'linli.mjs'),
      'start',
      '--config',
      config,
      '--mqtt-port',
      `${mqttPort}`,
      '--http-port',
      `${httpPort}`,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const healthz = `http://127.0.0.1:${httpPort}/healthz`;
  await started(child, async () => (await fetch(healthz)).status === 200, 'linli start');
  return {
    name: 'linli',
    url: `mqtt://127.0.0.1:${mqttPort}`,
    child,
    healthz,
    loopLag: () => gatewayLoopLag(healthz),
    spawnedAt,
    ports: { mqtt: mqttPort, http: httpPort },
    stop: () => stopChild(child),
  };
}

/** The bare aedes echo (echo-broker.mjs), resolved once it listens. */
export async function startEcho(): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'bench', 'e2e', 'echo-broker.mjs'), `${port}`], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let ready = false;
  let lagAnswer: ((lag: { p99Ms: number; maxMs: number }) => void) | undefined;
  child.stdout?.on('data', (c: Buffer) => {
    const text = c.toString();
    if (text.includes('ready')) ready = true;
    const lag = /\{"lag":(\{[^}]*\})\}/.exec(text)?.[1];
    if (lag && lagAnswer) lagAnswer(JSON.parse(lag) as { p99Ms: number; maxMs: number });
  });
  await started(child, async () => ready, 'the echo broker');
  return {
    name: 'echo',
    url: `mqtt://127.0.0.1:${port}`,
    child,
    healthz: undefined,
    loopLag: () =>
      new Promise((resolve) => {
        lagAnswer = resolve;
        child.stdin?.write('lag\n');
      }),
    stop: () => stopChild(child),
  };
}

/** The gateway's event loop delay since it started serving (ms), from /healthz. */
async function gatewayLoopLag(healthz: string): Promise<{ p99Ms: number; maxMs: number }> {
  const body = (await (await fetch(healthz)).json()) as { eventLoop: { p99Ms: number; maxMs: number } };
  return body.eventLoop;
}
