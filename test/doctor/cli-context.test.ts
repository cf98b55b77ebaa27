import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../gateway/config/schema.ts';
import { cliContext } from '../../gateway/doctor/cli-context.ts';
import { systemIo } from '../../gateway/doctor/system-io.ts';
import { DataFolderLock } from '../../gateway/store/data-lock.ts';
import { tempDir } from '../support/tmp.ts';

/** What the CLI learns of a gateway running beside it: that it runs, whose it is, its clock and cloud link. */
describe('doctor beside a running gateway (the CLI’s context)', () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('none runs: no runtime state asked, the files are the user’s running doctor', async () => {
    const tmp = tempDir('linli-doctor-ctx-');
    cleanups.push(tmp.cleanup);
    const ctx = await cliContext(ConfigSchema.parse({ dataDir: tmp.dir }), systemIo);
    expect(ctx.gateway).toBe('none');
    expect(ctx.runtime).toBeUndefined();
    expect(ctx.owner.uid).toBe(process.getuid?.());
  });

  it('one holds the folder: its /healthz tells its clock and cloud link; its process’s user owns files', async () => {
    const tmp = tempDir('linli-doctor-ctx-');
    cleanups.push(tmp.cleanup);
    const lock = DataFolderLock.acquire(tmp.dir, 'linli start');
    cleanups.push(() => lock.release());
    const server: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'ok',
          clock: { state: 'behind', offsetMs: 90_000, jumps: 0, lastJumpAt: null },
          cloud: { enabled: true, connected: false, session: 0, backlogEvents: 12, overBudget: false },
        }),
      );
    });
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const ctx = await cliContext(ConfigSchema.parse({ dataDir: tmp.dir, http: { host: '127.0.0.1', port } }), systemIo);
    expect(ctx.gateway).toBe('another-process');
    expect(ctx.runtime).toEqual({
      clock: { state: 'behind', offsetMs: 90_000 },
      cloud: { enabled: true, connected: false, backlogEvents: 12 },
    });
    // the holder is this test's process: its uid, read from /proc/<pid>/status
    expect(ctx.owner.uid).toBe(process.getuid?.());
  });
});
