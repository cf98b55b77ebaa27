import { chmodSync, chownSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../cli/user-error.ts';
import { type Account, addSystemUser, findAccount, findGroup } from './accounts.ts';
import {
  mustRun,
  NOLOGIN,
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
import { renderUnit } from './unit.ts';

export interface InstallOptions extends ServiceTarget {
  gpio: boolean;
  pcsc: boolean;
  lanOnly: boolean;
  /** enable --now (else only enable). */
  start: boolean;
}

/** systemd's sandbox hides these from the service (ProtectHome, PrivateTmp): node there would not start. */
const HIDDEN = ['/home/', '/root/', '/run/user/', '/tmp/', '/var/tmp/'];

function checkVisible(what: string, path: string): void {
  const hidden = HIDDEN.find((h) => path.startsWith(h));
  if (hidden)
    throw new UserError(
      `${what} ${path} is under ${hidden}, which the service's sandbox hides (ProtectHome, PrivateTmp)`,
      'install Node.js and linli system-wide (README, "Running on a real box"): e.g. sudo npm install -g',
    );
}

/** The dataDir and backup.target an existing config names (unvalidated: `linli start` validates it). */
function fromConfig(text: string): { dataDir?: string; backupTarget?: string } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UserError(`the config file is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const o = (doc ?? {}) as { dataDir?: unknown; backup?: { target?: unknown } };
  const str = (v: unknown) => (typeof v === 'string' && v.startsWith('/') ? v : undefined);
  const dataDir = str(o.dataDir);
  const backupTarget = str(o.backup?.target);
  return { ...(dataDir ? { dataDir } : {}), ...(backupTarget ? { backupTarget } : {}) };
}

/** The example config with dataDir set to the data folder, its comment kept. */
export function configFromExample(example: string, dataDir: string): string {
  const line = /^dataDir:[ \t]*\S+/m;
  if (!line.test(example)) throw new Error('config/example.yaml has no top-level dataDir line');
  return example.replace(line, (m) => `dataDir: ${dataDir}`.padEnd(m.length));
}

/** The folder with its mode; any missing parent (/var/lib in an image) 0755 like the system's own. */
function makeFolder(path: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  mkdirSync(path, { mode });
}

class Installer {
  readonly steps: ServiceStep[] = [];
  private account: Account | undefined;
  constructor(
    private readonly host: ServiceHost,
    private readonly o: InstallOptions,
  ) {}

  private note(step: string, changed: boolean, detail: string): void {
    this.steps.push({ step, status: changed ? (this.o.dryRun ? 'planned' : 'done') : 'unchanged', detail });
  }

  /** Ownership can be set as root only; a --root install by another user writes the files without it. */
  private get canChown(): boolean {
    return this.host.uid === 0;
  }

  /** Brings a path to mode and owner; true when something had to change. */
  private fixMode(path: string, mode: number, uid: number | undefined, gid: number | undefined): boolean {
    const st = statSync(path);
    const wrongMode = (st.mode & 0o7777) !== mode;
    const wrongOwner = this.canChown && uid !== undefined && gid !== undefined && (st.uid !== uid || st.gid !== gid);
    if (!this.o.dryRun) {
      if (wrongMode) chmodSync(path, mode);
      if (wrongOwner) chownSync(path, uid as number, gid as number);
    }
    return wrongMode || wrongOwner;
  }

  async user(): Promise<void> {
    const { user, dataDir } = this.o;
    const passwdPath = onTarget(this.o, '/etc/passwd');
    const groupPath = onTarget(this.o, '/etc/group');
    this.account = findAccount(readIfThere(passwdPath) ?? '', user);
    if (this.account) {
      this.note('user', false, `system user ${user} (uid ${this.account.uid}) exists`);
      return;
    }
    this.note('user', true, `create system user ${user} (no login shell, home ${dataDir}) and its group`);
    if (this.o.dryRun) return;
    if (!this.o.system) {
      const optional = (path: string) => readIfThere(onTarget(this.o, path));
      const [shadow, gshadow] = [optional('/etc/shadow'), optional('/etc/gshadow')];
      const added = addSystemUser(
        {
          passwd: readIfThere(passwdPath) ?? '',
          group: readIfThere(groupPath) ?? '',
          ...(shadow !== undefined ? { shadow } : {}),
          ...(gshadow !== undefined ? { gshadow } : {}),
        },
        { name: user, home: dataDir, shell: NOLOGIN },
      );
      mkdirSync(dirname(passwdPath), { recursive: true });
      writeFileSync(passwdPath, added.passwd, { mode: 0o644 });
      writeFileSync(groupPath, added.group, { mode: 0o644 });
      if (added.shadow !== undefined) writeFileSync(onTarget(this.o, '/etc/shadow'), added.shadow);
      if (added.gshadow !== undefined) writeFileSync(onTarget(this.o, '/etc/gshadow'), added.gshadow);
      this.account = added.account;
    } else {
      await mustRun(this.host, 'useradd', [
        '--system',
        '--user-group',
        '--home-dir',
        dataDir,
        '--no-create-home',
        '--shell',
        NOLOGIN,
        '--comment',
        'Linli community gateway',
        user,
      ]);
      this.account = findAccount(readIfThere(passwdPath) ?? '', user);
      if (!this.account) throw new UserError(`useradd succeeded but ${user} is not in /etc/passwd`);
    }
  }

  /** The config's folder (created root:group 0750 when missing) and the file (root:group 0640). */
  config(exampleText: string): { backupTarget?: string } {
    const path = onTarget(this.o, this.o.configPath);
    const dir = dirname(path);
    const gid = this.account?.gid;
    if (!existsSync(dir)) {
      this.note('config-folder', true, `create ${dirname(this.o.configPath)} (root:${this.o.user} 0750)`);
      if (!this.o.dryRun) {
        makeFolder(dir, 0o750);
        this.fixMode(dir, 0o750, 0, gid);
      }
    }
    const existing = readIfThere(path);
    if (existing === undefined) {
      const text = configFromExample(exampleText, this.o.dataDir);
      this.note('config', true, `write ${this.o.configPath} from config/example.yaml, dataDir ${this.o.dataDir}`);
      if (!this.o.dryRun) {
        writeFileSync(path, text, { mode: 0o640 });
        this.fixMode(path, 0o640, 0, gid);
      }
      const { backupTarget } = fromConfig(text);
      return backupTarget ? { backupTarget } : {};
    }
    const named = fromConfig(existing);
    if (named.dataDir !== undefined && named.dataDir !== this.o.dataDir)
      throw new UserError(
        `${this.o.configPath} names dataDir ${named.dataDir}, not ${this.o.dataDir}`,
        `give --data ${named.dataDir}, or change dataDir in ${this.o.configPath}`,
      );
    const fixed = this.fixMode(path, 0o640, 0, gid);
    this.note(
      'config',
      fixed,
      fixed
        ? `set ${this.o.configPath} to root:${this.o.user} 0640 (the file is kept)`
        : `${this.o.configPath} exists (kept as it is)`,
    );
    return named.backupTarget ? { backupTarget: named.backupTarget } : {};
  }

  dataFolder(): void {
    const path = onTarget(this.o, this.o.dataDir);
    const { uid, gid } = this.account ?? {};
    if (!existsSync(path)) {
      this.note('data', true, `create ${this.o.dataDir} (${this.o.user}, 0700)`);
      if (!this.o.dryRun) {
        makeFolder(path, 0o700);
        this.fixMode(path, 0o700, uid, gid);
      }
      return;
    }
    const fixed = this.fixMode(path, 0o700, uid, gid);
    this.note('data', fixed, fixed ? `set ${this.o.dataDir} to ${this.o.user}, 0700` : `${this.o.dataDir} exists`);
  }

  /** Writes the unit when it differs; true when it did. */
  unit(text: string): boolean {
    const path = onTarget(this.o, UNIT_PATH);
    const same = readIfThere(path) === text;
    this.note('unit', !same, same ? `${UNIT_PATH} is up to date` : `write ${UNIT_PATH}`);
    if (!same && !this.o.dryRun) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text, { mode: 0o644 });
      chmodSync(path, 0o644);
    }
    return !same;
  }

  async systemd(unitChanged: boolean): Promise<void> {
    const { run } = this.host;
    const enabled = (await run('systemctl', ['is-enabled', UNIT_NAME])).stdout.trim() === 'enabled';
    const active = (await run('systemctl', ['is-active', UNIT_NAME])).stdout.trim() === 'active';
    const dry = this.o.dryRun;
    if (unitChanged) {
      this.note('systemd', true, 'systemctl daemon-reload');
      if (!dry) await mustRun(this.host, 'systemctl', ['daemon-reload']);
    }
    const startNow = this.o.start && !active;
    if (!enabled) {
      const args = ['enable', ...(startNow ? ['--now'] : []), UNIT_NAME];
      this.note('systemd', true, `systemctl ${args.join(' ')}`);
      if (!dry) await mustRun(this.host, 'systemctl', args);
    } else if (startNow) {
      this.note('systemd', true, `systemctl start ${UNIT_NAME}`);
      if (!dry) await mustRun(this.host, 'systemctl', ['start', UNIT_NAME]);
    } else if (unitChanged && active) {
      // a running gateway keeps the old sandbox until it restarts
      this.note('systemd', true, `systemctl restart ${UNIT_NAME} (the unit changed)`);
      if (!dry) await mustRun(this.host, 'systemctl', ['restart', UNIT_NAME]);
    } else {
      this.note('systemd', false, `${UNIT_NAME} is enabled${active ? ' and running' : ''}`);
    }
  }
}

/** `linli service install`: every step checked first, so a second run changes nothing and says so. */
export async function installService(host: ServiceHost, o: InstallOptions): Promise<ServiceReport> {
  preflight(host, o, 'install');
  checkVisible('node', host.nodePath);
  checkVisible('linli', host.binPath);
  if (o.gpio && findGroup(readIfThere(onTarget(o, '/etc/group')) ?? '', 'gpio') === undefined)
    throw new UserError(
      '--gpio: this machine has no gpio group (the unit would not start: SupplementaryGroups=gpio)',
      'Raspberry Pi OS has one; elsewhere create it and give it /sys/class/gpio (udev rule), or leave out --gpio',
    );
  const example = readIfThere(host.examplePath);
  if (example === undefined) throw new Error(`the package's ${host.examplePath} is missing`);
  const inst = new Installer(host, o);
  await inst.user();
  const { backupTarget } = inst.config(example);
  inst.dataFolder();
  const unit = renderUnit({
    nodePath: host.nodePath,
    binPath: host.binPath,
    user: o.user,
    configPath: o.configPath,
    dataDir: o.dataDir,
    gpio: o.gpio,
    pcsc: o.pcsc,
    lanOnly: o.lanOnly,
    writablePaths: backupTarget ? [backupTarget] : [],
  });
  const unitChanged = inst.unit(unit);
  if (!o.system && host.uid !== 0 && inst.steps.some((s) => s.status === 'done'))
    inst.steps.push({
      step: 'ownership',
      status: 'unchanged',
      detail: `owners not set (not root): give ${o.dataDir} to ${o.user} and the config to root:${o.user} in the image`,
    });
  if (o.system) await inst.systemd(unitChanged);
  return {
    action: 'install',
    root: o.root ?? null,
    dryRun: o.dryRun,
    changed: inst.steps.some((s) => s.status !== 'unchanged'),
    steps: inst.steps,
    unitPath: UNIT_PATH,
    unit,
  };
}
