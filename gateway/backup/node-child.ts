import { execFile } from 'node:child_process';

export interface ChildOutput {
  /** The exit code; null when a signal ended it. */
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs this Node binary with `args` in a child process and resolves with what it wrote, whatever its exit
 * code: the long checks of a backup run there so the gateway's event loop goes on answering devices.
 * Rejects only when the child could not run or was aborted.
 */
export function runNodeChild(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal | undefined } = {},
): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      {
        maxBuffer: 16 * 1024 * 1024,
        ...(opts.env ? { env: opts.env } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (error, out, err) => {
        // an exit code or a signal is an answer; a spawn failure or an abort (a string code) is not
        if (typeof error?.code === 'string') reject(error);
        else resolve({ code: error ? (error.code ?? null) : 0, out, err });
      },
    );
  });
}
