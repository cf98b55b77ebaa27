import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How `linli service` runs useradd and systemctl: injected, so tests record the commands instead. */
export type Runner = (cmd: string, args: readonly string[]) => Promise<CommandResult>;

/** The real one: never throws for a non-zero exit (the caller decides), 127 for a program that is not there. */
export const execRunner: Runner = (cmd, args) =>
  new Promise((resolve) => {
    execFile(cmd, [...args], { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      const code = !e ? 0 : e.code === 'ENOENT' ? 127 : typeof e.code === 'number' ? e.code : 1;
      resolve({ code, stdout, stderr: stderr || (e && !stderr ? e.message : '') });
    });
  });
