import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../cli/user-error.ts';
import type { Runner } from './runner.ts';

/** What `linli service` needs from the machine, injected: tests use a temporary root and a recording runner. */
export interface ServiceHost {
  run: Runner;
  /** The user running linli (process.getuid()). */
  uid: number;
  /** process.versions.node */
  nodeVersion: string;
  /** process.execPath */
  nodePath: string;
  /** The package's bin/linli.mjs, resolved. */
  binPath: string;
  /** The package's config/example.yaml. */
  examplePath: string;
  /** Whether systemd runs this machine (sd_booted: /run/systemd/system exists). */
  systemdBooted: () => boolean;
}

export interface ServiceTarget {
  /** Every path is under this folder (an image, a test); undefined: the machine's own. */
  root?: string | undefined;
  /** Run useradd, userdel and systemctl (false with --root: users written into <root>/etc, no systemctl). */
  system: boolean;
  user: string;
  configPath: string;
  dataDir: string;
  dryRun: boolean;
}

export const UNIT_NAME = 'linli.service';
export const UNIT_PATH = '/etc/systemd/system/linli.service';
export const NOLOGIN = '/usr/sbin/nologin';

/** One thing install or uninstall checked: done now, already so (unchanged), or what it would do (dry run). */
export interface ServiceStep {
  step: string;
  status: 'done' | 'unchanged' | 'planned';
  detail: string;
}

export interface ServiceReport {
  action: 'install' | 'uninstall';
  root: string | null;
  dryRun: boolean;
  /** Whether anything changed (or, in a dry run, would). */
  changed: boolean;
  steps: ServiceStep[];
  unitPath: string;
  /** The unit file as written (install only). */
  unit?: string;
}

/** A path on the target: under --root when given. */
export const onTarget = (t: ServiceTarget, path: string): string => (t.root ? join(t.root, path) : path);

export const readIfThere = (path: string): string | undefined =>
  existsSync(path) ? readFileSync(path, 'utf8') : undefined;

/** Runs a command that must succeed, with what it said as the error. */
export async function mustRun(host: ServiceHost, cmd: string, args: readonly string[]): Promise<string> {
  const r = await host.run(cmd, args);
  if (r.code !== 0)
    throw new UserError(
      `${cmd} ${args.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim() || 'no message'}`,
      r.code === 127 ? `${cmd} is not installed on this machine` : undefined,
    );
  return r.stdout;
}

/** Not root, no systemd, a node too old: said before anything changes. */
export function preflight(host: ServiceHost, t: ServiceTarget, verb: 'install' | 'uninstall'): void {
  const major = Number(host.nodeVersion.split('.')[0]);
  if (!(major >= 20))
    throw new UserError(
      `node ${host.nodeVersion} is too old: linli needs Node.js 20 or newer`,
      'install Node.js 20 or 22 (README, "Running on a real box"), then run this again with that node',
    );
  if (!t.system) return;
  if (host.uid !== 0 && !t.dryRun) {
    const does = verb === 'install' ? 'creates a system user and writes' : 'removes';
    throw new UserError(
      `linli service ${verb} must run as root (it ${does} /etc/systemd/system/linli.service)`,
      `sudo linli service ${verb}, or --dry-run to see what it would do`,
    );
  }
  if (!host.systemdBooted())
    throw new UserError(
      'this machine does not run systemd (no /run/systemd/system): linli service needs it',
      'run `linli start --config FILE` under the init system you have, or use --root DIR to prepare an image',
    );
}
