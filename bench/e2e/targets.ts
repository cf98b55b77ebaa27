import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, stopChild, unitNodeOptions } from '../support.ts';

const root = new URL('../..', import.meta.url).pathname;

/** A broker under test in its own process: the gateway, or the bare echo floor. */
export interface Target {
  readonly name: 'linli' | 'echo';
  readonly url: string;
  readonly child: ChildProcess;
  /** The gateway's /healthz, for the event loop's delay (undefined for the floor). */
  readonly healthz: string | undefined;
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let ready = false;
  child.stdout?.on('data', (c: Buffer) => {
    if (c.toString().includes('ready')) ready = true;
  });
  await started(child, async () => ready, 'the echo broker');
  return { name: 'echo', url: `mqtt://127.0.0.1:${port}`, child, healthz: undefined, stop: () => stopChild(child) };
}

/** The gateway's event loop delay since it started serving (ms), from /healthz. */
export async function loopLag(t: Target): Promise<{ p99Ms: number; maxMs: number } | undefined> {
  if (!t.healthz) return undefined;
  const body = (await (await fetch(t.healthz)).json()) as { eventLoop?: { p99Ms: number; maxMs: number } };
  return body.eventLoop;
}
