import { execFile } from 'node:child_process';
import { vi } from 'vitest';
import { runCli } from '../../gateway/cli/main.ts';

export const BIN = new URL('../../bin/linli.mjs', import.meta.url).pathname;

/**
 * Runs the CLI in this process, as `linli ...args` would, and returns what it printed: commander's help
 * and usage errors, the commands' own output (stdout) and the error report. Fast: no process to start.
 */
export async function linliInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    const code = await runCli(['node', 'linli', ...args], { out: (t) => (stdout += t), err: (t) => (stderr += t) });
    return { code, stdout, stderr };
  } finally {
    spy.mockRestore();
  }
}

/**
 * Runs `bin/linli.mjs` as its own process, for what only a process shows: its exit code and exit, its
 * signals, its locks. Generous bounded time: a loaded machine is slow, never wrong.
 */
export function linliProcess(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 60_000 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** A stack trace's lines ("    at fn (file:1:2)"): never shown for a user error without --verbose. */
export const STACK = /\n\s+at .+:\d+/;
