import { describe, expect, it } from 'vitest';
import { runNodeChild } from '../../gateway/backup/node-child.ts';

describe('runNodeChild', () => {
  it('answers with the output and the exit code, also a non-zero one', async () => {
    const r = await runNodeChild(['-e', 'process.stdout.write("{}"); process.stderr.write("x\\n"); process.exit(3)']);
    expect(r).toEqual({ code: 3, out: '{}', err: 'x\n' });
    expect(await runNodeChild(['-e', 'process.stdout.write("ok")'])).toEqual({ code: 0, out: 'ok', err: '' });
  });

  it('a child ended by a signal answers with code null; an abort rejects', async () => {
    expect((await runNodeChild(['-e', 'process.kill(process.pid, "SIGKILL")'])).code).toBeNull();
    const ac = new AbortController();
    const running = runNodeChild(['-e', 'setTimeout(() => {}, 60_000)'], { signal: ac.signal });
    ac.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
  });
});
