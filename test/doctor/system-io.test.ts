import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uidOfStatus, userName } from '../../gateway/doctor/cli-context.ts';
import { fetchRuntimeState, healthzUrl } from '../../gateway/doctor/runtime-state.ts';
import { splitDev, systemIo } from '../../gateway/doctor/system-io.ts';
import { tempDir } from '../support/tmp.ts';

/** The real box adapter, on things this test makes itself: a folder, a loopback listener, a missing program. */
describe('doctor: the system adapter', () => {
  const tmp = tempDir('linli-doctor-io-');
  let server: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((s) => {
      sockets.add(s);
      s.destroy();
    });
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    tmp.cleanup();
  });

  it('stat, list and read a folder; undefined for what is missing', async () => {
    mkdirSync(join(tmp.dir, 'd'), { mode: 0o700 });
    writeFileSync(join(tmp.dir, 'd', 'f'), 'hello', { mode: 0o640 });
    const info = await systemIo.stat(join(tmp.dir, 'd', 'f'));
    expect(info).toMatchObject({ isDirectory: false, isSocket: false, uid: process.getuid?.() });
    expect((info?.mode ?? 0) & 0o777).toBe(0o640);
    expect(await systemIo.list(join(tmp.dir, 'd'))).toEqual(['f']);
    expect(await systemIo.readText(join(tmp.dir, 'd', 'f'))).toBe('hello');
    expect(await systemIo.stat(join(tmp.dir, 'nope'))).toBeUndefined();
    expect(await systemIo.list(join(tmp.dir, 'nope'))).toBeUndefined();
    const fs = await systemIo.statfs(tmp.dir);
    expect(fs?.totalBytes).toBeGreaterThan(0);
  });

  it('a port in use is EADDRINUSE, a free one undefined; a TCP connect answers, a refused one says so', async () => {
    expect(await systemIo.probePort('127.0.0.1', port)).toBe('EADDRINUSE');
    const ok = await systemIo.connect({ host: '127.0.0.1', port, tls: false }, 2000);
    expect(ok.ok).toBe(true);
    const free = await new Promise<number>((resolve) => {
      const s = createServer().listen({ host: '127.0.0.1', port: 0 }, () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    expect(await systemIo.probePort('127.0.0.1', free)).toBeUndefined();
    expect(await systemIo.connect({ host: '127.0.0.1', port: free, tls: false }, 2000)).toEqual({
      ok: false,
      error: 'ECONNREFUSED',
    });
    // a TLS handshake against a server that closes at once fails, never hangs
    expect((await systemIo.connect({ host: '127.0.0.1', port, tls: true }, 2000)).ok).toBe(false);
  });

  it('a program that is not installed gives no answer; one that exits non-zero gives its code', async () => {
    expect(await systemIo.run('linli-no-such-program', [])).toBeUndefined();
    expect(await systemIo.run(process.execPath, ['-e', 'process.stdout.write("x"); process.exit(3)'])).toEqual({
      code: 3,
      stdout: 'x',
    });
  });

  it('splits a dev_t into major and minor as the kernel encodes it', () => {
    expect(splitDev(0xb302n)).toEqual({ major: 179, minor: 2 });
    expect(splitDev(0x10301n)).toEqual({ major: 259, minor: 1 });
  });

  it('names users and reads a process’s uid', () => {
    expect(userName('root:x:0:0::/root:/bin/sh\nlinli:x:998:998::/var/lib/linli:/usr/sbin/nologin\n', 998)).toBe(
      'linli',
    );
    expect(userName('', 5)).toBe('uid 5');
    expect(uidOfStatus('Name:\tnode\nUid:\t998\t998\t998\t998\n')).toBe(998);
  });

  it('the running gateway’s state from its /healthz; nothing when nobody answers', async () => {
    expect(healthzUrl({ host: '0.0.0.0', port: 8080 })).toBe('http://127.0.0.1:8080/healthz');
    expect(healthzUrl({ host: '::', port: 8080 })).toBe('http://[::1]:8080/healthz');
    const body = {
      clock: { state: 'skewed', offsetMs: 400_000 },
      cloud: { enabled: true, connected: false, backlogEvents: 4 },
    };
    const fake = (async () => new Response(JSON.stringify({ status: 'ok', ...body }))) as typeof fetch;
    expect(await fetchRuntimeState({ host: '127.0.0.1', port: 1 }, 500, fake)).toEqual(body);
    const down = (async () => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
    expect(await fetchRuntimeState({ host: '127.0.0.1', port: 1 }, 500, down)).toBeUndefined();
  });
});
