import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** `systemd-analyze security --offline=true FILE`'s overall exposure (0 best, 10 worst) and its table. */
export function exposure(unitFile: string): { score: number; table: string } {
  const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', unitFile], {
    encoding: 'utf8',
  });
  const table = `${r.stdout}${r.stderr}`;
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(table);
  if (!m) throw new Error(`no "Overall exposure level" in systemd-analyze's answer (exit ${r.status}):\n${table}`);
  return { score: Number(m[1]), table };
}

/**
 * An image root systemd-analyze verify can load a unit from: systemd's own units (the targets a service
 * depends on by default), the executables ExecStart names, the unit in /etc/systemd/system.
 */
export function verifyRoot(root: string, unit: string, executables: readonly string[]): void {
  const units = join(root, 'usr/lib/systemd/system');
  mkdirSync(dirname(units), { recursive: true });
  cpSync('/lib/systemd/system', units, { recursive: true, dereference: false });
  for (const exe of executables) {
    mkdirSync(join(root, dirname(exe)), { recursive: true });
    writeFileSync(join(root, exe), '#!/bin/sh\n');
    chmodSync(join(root, exe), 0o755);
  }
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  writeFileSync(join(root, 'etc/systemd/system/linli.service'), unit);
}

/** `systemd-analyze verify --root=ROOT linli.service`: what it said (empty when the unit is clean). */
export function verify(root: string): { code: number; said: string } {
  const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, '--man=no', 'linli.service'], {
    encoding: 'utf8',
  });
  return { code: r.status ?? 1, said: `${r.stdout}${r.stderr}`.trim() };
}
