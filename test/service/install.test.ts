import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UserError } from '../../gateway/cli/user-error.ts';
import { configFromExample, type InstallOptions, installService } from '../../gateway/service/install.ts';
import type { ServiceHost } from '../../gateway/service/layout.ts';
import type { CommandResult } from '../../gateway/service/runner.ts';
import { uninstallService } from '../../gateway/service/uninstall.ts';
import { renderUnit } from '../../gateway/service/unit.ts';
import { tempDir } from '../support/tmp.ts';

const EXAMPLE = new URL('../../config/example.yaml', import.meta.url).pathname;
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nmessagebus:x:100:101::/nonexistent:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nmessagebus:x:101:\ngpio:x:997:pi\n';
const isRoot = process.getuid?.() === 0;

let tmp: ReturnType<typeof tempDir>;
let root: string;
let calls: string[];
/** What systemctl answers: the recording runner plays a machine where the unit is (not) enabled and running. */
let systemState: { enabled: boolean; active: boolean };

beforeEach(() => {
  tmp = tempDir('linli-service-');
  root = join(tmp.dir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), PASSWD);
  writeFileSync(join(root, 'etc/group'), GROUP);
  calls = [];
  systemState = { enabled: false, active: false };
});
afterEach(() => tmp.cleanup());

/** A host whose commands are recorded; useradd and userdel act on the temporary root, as on a machine. */
function host(over: Partial<ServiceHost> = {}): ServiceHost {
  const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
  return {
    uid: 0,
    nodeVersion: '20.19.0',
    nodePath: '/usr/bin/node',
    binPath: '/usr/lib/node_modules/linli-gateway/bin/linli.mjs',
    examplePath: EXAMPLE,
    systemdBooted: () => true,
    run: async (cmd, args) => {
      calls.push([cmd, ...args].join(' '));
      if (cmd === 'useradd') {
        appendFileSync(join(root, 'etc/passwd'), `linli:x:998:998::/var/lib/linli:/usr/sbin/nologin\n`);
        return ok();
      }
      if (cmd === 'systemctl' && args[0] === 'is-enabled') return ok(systemState.enabled ? 'enabled\n' : 'disabled\n');
      if (cmd === 'systemctl' && args[0] === 'is-active') return ok(systemState.active ? 'active\n' : 'inactive\n');
      if (cmd === 'systemctl' && args[0] === 'enable') systemState = { enabled: true, active: args[1] === '--now' };
      if (cmd === 'systemctl' && args[0] === 'disable') systemState = { enabled: false, active: false };
      return ok();
    },
    ...over,
  };
}

const options = (over: Partial<InstallOptions> = {}): InstallOptions => ({
  root,
  system: false,
  user: 'linli',
  configPath: '/etc/linli/config.yaml',
  dataDir: '/var/lib/linli',
  dryRun: false,
  gpio: false,
  pcsc: false,
  lanOnly: false,
  start: true,
  ...over,
});

const at = (path: string) => join(root, path);
const exampleBackupTarget = (): string[] => {
  const target = (parse(readFileSync(EXAMPLE, 'utf8')) as { backup?: { target?: string } }).backup?.target;
  return target ? [target] : [];
};
const mode = (path: string) => statSync(at(path)).mode & 0o7777;
const owner = (path: string) => `${statSync(at(path)).uid}:${statSync(at(path)).gid}`;

/** Every file and folder under the root with its mode, owner and content: what a second run must not change. */
function snapshot(dir = root): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      out[p.slice(root.length)] = `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.mtimeMs} ${
        st.isDirectory() ? '' : readFileSync(p, 'utf8')
      }`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

describe('linli service install --root DIR', () => {
  it('creates the user, config, data folder and unit with their modes, and a second run changes nothing', async () => {
    const first = await installService(host(), options());
    expect(first.changed).toBe(true);
    expect(first.steps.map((s) => [s.step, s.status])).toEqual([
      ['user', 'done'],
      ['config-folder', 'done'],
      ['config', 'done'],
      ['data', 'done'],
      ['unit', 'done'],
    ]);
    expect(calls).toEqual([]);

    const passwd = readFileSync(at('etc/passwd'), 'utf8');
    expect(passwd).toBe(`${PASSWD}linli:x:999:999:Linli community gateway:/var/lib/linli:/usr/sbin/nologin\n`);
    expect(readFileSync(at('etc/group'), 'utf8')).toBe(`${GROUP}linli:x:999:\n`);

    const example = readFileSync(EXAMPLE, 'utf8');
    expect(readFileSync(at('etc/linli/config.yaml'), 'utf8')).toBe(configFromExample(example, '/var/lib/linli'));
    expect(mode('etc/linli')).toBe(0o750);
    expect(mode('etc/linli/config.yaml')).toBe(0o640);
    expect(mode('var/lib/linli')).toBe(0o700);
    expect(mode('var/lib')).toBe(0o755);
    expect(mode('etc/systemd/system/linli.service')).toBe(0o644);
    if (isRoot) {
      expect(owner('etc/linli')).toBe('0:999');
      expect(owner('etc/linli/config.yaml')).toBe('0:999');
      expect(owner('var/lib/linli')).toBe('999:999');
    }
    expect(readFileSync(at('etc/systemd/system/linli.service'), 'utf8')).toBe(
      renderUnit({
        nodePath: '/usr/bin/node',
        binPath: '/usr/lib/node_modules/linli-gateway/bin/linli.mjs',
        user: 'linli',
        configPath: '/etc/linli/config.yaml',
        dataDir: '/var/lib/linli',
        // the example's scheduled backups' folder: writable once they are enabled
        writablePaths: exampleBackupTarget(),
      }),
    );

    const before = snapshot();
    const second = await installService(host(), options());
    expect(second.changed).toBe(false);
    expect(second.steps.every((s) => s.status === 'unchanged')).toBe(true);
    expect(snapshot()).toEqual(before);
  });

  it('by a user other than root: the files and modes, and a note that the owners are left to set', async () => {
    const report = await installService(host({ uid: 1000 }), options());
    expect(mode('var/lib/linli')).toBe(0o700);
    expect(mode('etc/linli/config.yaml')).toBe(0o640);
    expect(report.steps.at(-1)?.detail).toMatch(/owners not set \(not root\)/);
    expect((await installService(host({ uid: 1000 }), options())).changed).toBe(false);
  });

  it('--dry-run says what it would do and writes nothing', async () => {
    const before = snapshot();
    const report = await installService(host(), options({ dryRun: true }));
    expect(report.changed).toBe(true);
    expect(report.steps.every((s) => s.status === 'planned')).toBe(true);
    expect(snapshot()).toEqual(before);
  });

  it('keeps an existing config, repairs its mode, and takes its backup target into the unit', async () => {
    mkdirSync(at('etc/linli'), { recursive: true });
    const mine = 'gateway: { id: gw-test }\ndataDir: /var/lib/linli\nbackup: { target: /media/usb/linli }\n';
    writeFileSync(at('etc/linli/config.yaml'), mine, { mode: 0o644 });
    const report = await installService(host(), options());
    expect(report.steps.find((s) => s.step === 'config')?.status).toBe('done');
    expect(readFileSync(at('etc/linli/config.yaml'), 'utf8')).toBe(mine);
    expect(mode('etc/linli/config.yaml')).toBe(0o640);
    expect(report.unit).toMatch(/^ReadWritePaths=-\/media\/usb\/linli$/m);
  });

  it('refuses a config that names another data folder than --data', async () => {
    mkdirSync(at('etc/linli'), { recursive: true });
    writeFileSync(at('etc/linli/config.yaml'), 'dataDir: /srv/linli\n');
    await expect(installService(host(), options())).rejects.toThrow(
      /names dataDir \/srv\/linli, not \/var\/lib\/linli/,
    );
  });

  it('a changed option rewrites the unit only: --gpio', async () => {
    await installService(host(), options());
    const report = await installService(host(), options({ gpio: true }));
    expect(report.steps.filter((s) => s.status !== 'unchanged').map((s) => s.step)).toEqual(['unit']);
    expect(readFileSync(at('etc/systemd/system/linli.service'), 'utf8')).toMatch(/^SupplementaryGroups=gpio$/m);
  });

  it('--gpio on a machine without a gpio group is refused before anything is written', async () => {
    writeFileSync(at('etc/group'), 'root:x:0:\n');
    const before = snapshot();
    await expect(installService(host(), options({ gpio: true }))).rejects.toThrow(/no gpio group/);
    expect(snapshot()).toEqual(before);
  });

  it('uninstall keeps data, config and user; --purge removes them too; run twice, it changes nothing', async () => {
    await installService(host(), options());
    writeFileSync(at('var/lib/linli/linli.db'), 'residents');
    const un = await uninstallService(host(), { ...options(), purge: false });
    expect(un.changed).toBe(true);
    expect(existsSync(at('etc/systemd/system/linli.service'))).toBe(false);
    expect(readFileSync(at('var/lib/linli/linli.db'), 'utf8')).toBe('residents');
    expect(existsSync(at('etc/linli/config.yaml'))).toBe(true);
    expect(readFileSync(at('etc/passwd'), 'utf8')).toMatch(/^linli:/m);
    expect((await uninstallService(host(), { ...options(), purge: false })).changed).toBe(false);

    const purged = await uninstallService(host(), { ...options(), purge: true });
    expect(purged.changed).toBe(true);
    expect(existsSync(at('var/lib/linli'))).toBe(false);
    expect(existsSync(at('etc/linli'))).toBe(false);
    expect(readFileSync(at('etc/passwd'), 'utf8')).toBe(PASSWD);
    expect(readFileSync(at('etc/group'), 'utf8')).toBe(GROUP);
    expect((await uninstallService(host(), { ...options(), purge: true })).changed).toBe(false);
    expect(calls).toEqual([]);
  });
});

describe('linli service install on the machine (commands recorded, files in a temporary root)', () => {
  it('runs useradd and systemctl once; the second run only asks', async () => {
    await installService(host(), options({ system: true }));
    expect(calls).toEqual([
      'useradd --system --user-group --home-dir /var/lib/linli --no-create-home --shell /usr/sbin/nologin ' +
        '--comment Linli community gateway linli',
      'systemctl is-enabled linli.service',
      'systemctl is-active linli.service',
      'systemctl daemon-reload',
      'systemctl enable --now linli.service',
    ]);
    calls = [];
    const again = await installService(host(), options({ system: true }));
    expect(again.changed).toBe(false);
    expect(calls).toEqual(['systemctl is-enabled linli.service', 'systemctl is-active linli.service']);
  });

  it('--no-start only enables; a changed unit restarts a running gateway', async () => {
    await installService(host(), options({ system: true, start: false }));
    expect(calls.at(-1)).toBe('systemctl enable linli.service');
    systemState.active = true;
    calls = [];
    await installService(host(), options({ system: true, pcsc: true }));
    expect(calls.slice(2)).toEqual(['systemctl daemon-reload', 'systemctl restart linli.service']);
  });

  it('uninstall stops and disables, removes the unit and reloads; --purge removes the user with userdel', async () => {
    await installService(host(), options({ system: true }));
    calls = [];
    await uninstallService(host(), { ...options({ system: true }), purge: true });
    expect(calls).toEqual([
      'systemctl is-enabled linli.service',
      'systemctl is-active linli.service',
      'systemctl disable --now linli.service',
      'systemctl daemon-reload',
      'userdel linli',
    ]);
  });

  it('says clearly when it cannot: not root, no systemd, node older than 20, node in a home folder', async () => {
    const refusal = (h: Partial<ServiceHost>) => installService(host(h), options({ system: true }));
    await expect(refusal({ uid: 1000 })).rejects.toThrow(/must run as root/);
    await expect(refusal({ systemdBooted: () => false })).rejects.toThrow(/does not run systemd/);
    await expect(refusal({ nodeVersion: '18.19.0' })).rejects.toThrow(/node 18\.19\.0 is too old/);
    await expect(refusal({ nodePath: '/home/pi/.nvm/versions/node/v20.19.0/bin/node' })).rejects.toThrow(/ProtectHome/);
    await expect(refusal({ uid: 1000 })).rejects.toBeInstanceOf(UserError);
    expect(calls).toEqual([]);
    expect(existsSync(at('etc/linli'))).toBe(false);
  });

  it('a failing command stops the install with what it said', async () => {
    const failing = host({
      run: async (cmd, args) => {
        calls.push([cmd, ...args].join(' '));
        return { code: 9, stdout: '', stderr: 'useradd: group linli exists - if you want to add this user...' };
      },
    });
    await expect(installService(failing, options({ system: true }))).rejects.toThrow(/useradd .* failed \(exit 9\)/);
  });
});
