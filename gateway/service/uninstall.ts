import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { findAccount, removeSystemUser } from './accounts.ts';
import {
  mustRun,
  onTarget,
  preflight,
  readIfThere,
  type ServiceHost,
  type ServiceReport,
  type ServiceStep,
  type ServiceTarget,
  UNIT_NAME,
  UNIT_PATH,
} from './layout.ts';

export interface UninstallOptions extends ServiceTarget {
  /** Also the data folder, the config and the user: everything install made. */
  purge: boolean;
}

/**
 * `linli service uninstall`: stops and disables the service and removes its unit; the residents' data and
 * the config stay unless --purge. Run twice, the second run finds nothing to do.
 */
export async function uninstallService(host: ServiceHost, o: UninstallOptions): Promise<ServiceReport> {
  preflight(host, o, 'uninstall');
  const steps: ServiceStep[] = [];
  const note = (step: string, changed: boolean, detail: string) =>
    steps.push({ step, status: changed ? (o.dryRun ? 'planned' : 'done') : 'unchanged', detail });
  const unitFile = onTarget(o, UNIT_PATH);
  const hasUnit = existsSync(unitFile);

  if (o.system) {
    const enabled = (await host.run('systemctl', ['is-enabled', UNIT_NAME])).stdout.trim() === 'enabled';
    const active = (await host.run('systemctl', ['is-active', UNIT_NAME])).stdout.trim() === 'active';
    if (enabled || active) {
      note('systemd', true, `systemctl disable --now ${UNIT_NAME}`);
      if (!o.dryRun) await mustRun(host, 'systemctl', ['disable', '--now', UNIT_NAME]);
    } else note('systemd', false, `${UNIT_NAME} is neither enabled nor running`);
  }
  note('unit', hasUnit, hasUnit ? `remove ${UNIT_PATH}` : `${UNIT_PATH} is not there`);
  if (hasUnit && !o.dryRun) rmSync(unitFile);
  if (hasUnit && o.system) {
    note('systemd', true, 'systemctl daemon-reload');
    if (!o.dryRun) await mustRun(host, 'systemctl', ['daemon-reload']);
  }
  if (o.purge) await purge(host, o, note);
  else steps.push({ step: 'data', status: 'unchanged', detail: `kept ${o.dataDir} and ${o.configPath} (--purge)` });

  return {
    action: 'uninstall',
    root: o.root ?? null,
    dryRun: o.dryRun,
    changed: steps.some((s) => s.status !== 'unchanged'),
    steps,
    unitPath: UNIT_PATH,
  };
}

async function purge(
  host: ServiceHost,
  o: UninstallOptions,
  note: (step: string, changed: boolean, detail: string) => void,
): Promise<void> {
  const remove = (step: string, path: string) => {
    const there = existsSync(onTarget(o, path));
    note(step, there, there ? `remove ${path}` : `${path} is not there`);
    if (there && !o.dryRun) rmSync(onTarget(o, path), { recursive: true, force: true });
  };
  remove('data', o.dataDir);
  remove('config', o.configPath);
  // the folder install made for the config (and the key files beside it): only one named for linli
  const folder = dirname(o.configPath);
  const target = onTarget(o, folder);
  if (basename(folder) === 'linli' && existsSync(target)) {
    const left = readdirSync(target).length;
    note('config-folder', true, `remove ${folder}${left > 0 ? ` and the ${left} file(s) left in it` : ''}`);
    if (!o.dryRun) rmSync(target, { recursive: true, force: true });
  }

  const passwdPath = onTarget(o, '/etc/passwd');
  const exists = findAccount(readIfThere(passwdPath) ?? '', o.user) !== undefined;
  note('user', exists, exists ? `remove system user ${o.user} and its group` : `no user ${o.user}`);
  if (!exists || o.dryRun) return;
  if (o.system) {
    await mustRun(host, 'userdel', [o.user]);
    return;
  }
  const read = (p: string) => readIfThere(onTarget(o, p));
  const [group, shadow, gshadow] = [read('/etc/group') ?? '', read('/etc/shadow'), read('/etc/gshadow')];
  const left = removeSystemUser(
    {
      passwd: readIfThere(passwdPath) ?? '',
      group,
      ...(shadow !== undefined ? { shadow } : {}),
      ...(gshadow !== undefined ? { gshadow } : {}),
    },
    o.user,
  );
  writeFileSync(passwdPath, left.passwd);
  writeFileSync(onTarget(o, '/etc/group'), left.group);
  if (left.shadow !== undefined) writeFileSync(onTarget(o, '/etc/shadow'), left.shadow);
  if (left.gshadow !== undefined) writeFileSync(onTarget(o, '/etc/gshadow'), left.gshadow);
}
