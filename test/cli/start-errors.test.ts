import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataFolderBusyError, DataFolderLock } from '../../gateway/store/data-lock.ts';
import { waitFor } from '../support/gateway-harness.ts';
import { tempDir } from '../support/tmp.ts';
import { BIN, linliProcess, STACK } from './cli-support.ts';

/** A gateway process, run until stopped; `out` collects what it printed. */
function gatewayProcess(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, LINLI_LOG_LEVEL: 'info' },
    stdio: 'pipe',
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

describe('linli start and demo: a taken port, a taken data folder', () => {
  let blocker: Server;
  let port: number;
  const tmp = tempDir();
  const running: ChildProcessWithoutNullStreams[] = [];
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    port = (blocker.address() as { port: number }).port;
  });
  afterEach(() => {
    for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => {
    await new Promise<void>((r) => blocker.close(() => r()));
    tmp.cleanup();
  });

  it('a taken MQTT or HTTP port: one line naming the port and the option, exit 1, and the process ends', async () => {
    const mqtt = await linliProcess([
      'start',
      '--data',
      `${tmp.dir}/a`,
      '--mqtts-port',
      String(port),
      '--http-port',
      '0',
    ]);
    expect(mqtt.code).toBe(1);
    expect(mqtt.stderr.trim()).toBe(
      `linli: port ${port} (MQTT over TLS) is in use; ` +
        'choose another with --mqtts-port N or mqtt.tls.port in the config',
    );
    expect(mqtt.stdout).not.toMatch(STACK);
    const http = await linliProcess([
      'start',
      '--data',
      `${tmp.dir}/a`,
      '--mqtts-port',
      '0',
      '--http-port',
      String(port),
    ]);
    expect(http.stderr.trim()).toBe(
      `linli: port ${port} (HTTP) is in use; choose another with --http-port N or http.port in the config`,
    );
    // the demo too (what npm start runs): its simulated cloud is stopped, nothing keeps the process alive
    const demo = await linliProcess([
      'demo',
      '--data',
      `${tmp.dir}/b`,
      '--mqtts-port',
      String(port),
      '--http-port',
      '0',
    ]);
    expect(demo.code).toBe(1);
    expect(demo.stderr.trim()).toBe(
      `linli: port ${port} (MQTT over TLS) is in use; ` +
        'choose another with --mqtts-port N or mqtt.tls.port in the config',
    );
    expect(demo.stdout).not.toMatch(/EADDRINUSE|\n\s+at /);
  }, 120_000);

  it('one gateway per data folder: a second is refused by name; ' +
    'the CLI still works beside; a SIGKILL frees the folder', async () => {
    const dir = `${tmp.dir}/c`;
    const first = gatewayProcess(['start', '--data', dir, '--mqtts-port', '0', '--http-port', '0']);
    running.push(first.child);
    await waitFor(() => first.out().includes('gateway started'), `the first gateway started (${first.out()})`, 60_000);
    const second = await linliProcess(['start', '--data', dir, '--mqtts-port', '0', '--http-port', '0']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `^linli: the data folder ${dir} is in use by another Linli gateway \\(pid ${first.child.pid}, \`linli start\``,
      ),
    );
    expect(second.stderr).toMatch(/another data folder with --data DIR/);
    expect(second.stderr).not.toMatch(STACK);
    // provision, device and token work on the data folder of a running gateway
    expect((await linliProcess(['provision', '--kind', 'door_reader', '--id', 'door-09', '--data', dir])).code).toBe(0);
    expect((await linliProcess(['token', 'create', '--role', 'viewer', '--data', dir])).code).toBe(0);
    expect((await linliProcess(['device', 'list', '--data', dir])).stdout).toMatch(/door-09/);
    // the kernel drops the lock of a killed process: no stale lock to clean up by hand
    first.child.kill('SIGKILL');
    await first.exited;
    const third = gatewayProcess(['start', '--data', dir, '--mqtts-port', '0', '--http-port', '0']);
    running.push(third.child);
    await waitFor(
      () => third.out().includes('gateway started'),
      `a new gateway starts after the first was killed (${third.out()})`,
      60_000,
    );
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 180_000);

  it('the lock in one process: a second holder is refused until the first releases', () => {
    const dir = `${tmp.dir}/d`;
    const lock = DataFolderLock.acquire(dir, 'test');
    expect(() => DataFolderLock.acquire(dir, 'test again')).toThrow(DataFolderBusyError);
    lock.release();
    DataFolderLock.acquire(dir, 'test again').release();
  });
});
