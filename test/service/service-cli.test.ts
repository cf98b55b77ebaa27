import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { realHost, serviceCommand } from '../../gateway/cli/service-command.ts';
import type { ServiceHost } from '../../gateway/service/layout.ts';
import { renderUnit } from '../../gateway/service/unit.ts';
import { tempDir } from '../support/tmp.ts';

const EXAMPLE = new URL('../../config/example.yaml', import.meta.url).pathname;
/** The example config's scheduled backups' folder, which install makes writable in the unit. */
const exampleBackupTarget = (): string[] => {
  const target = (parse(readFileSync(EXAMPLE, 'utf8')) as { backup?: { target?: string } }).backup?.target;
  return target ? [target] : [];
};
let tmp: ReturnType<typeof tempDir>;
let root: string;
let commands: string[];

beforeEach(() => {
  tmp = tempDir('linli-service-cli-');
  root = join(tmp.dir, 'image');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
  commands = [];
});
afterEach(() => tmp.cleanup());

const host = (): ServiceHost => ({
  uid: 0,
  nodeVersion: '20.19.0',
  nodePath: '/usr/local/bin/node',
  binPath: '/usr/local/lib/node_modules/linli-gateway/bin/linli.mjs',
  examplePath: EXAMPLE,
  systemdBooted: () => true,
  run: async (cmd, args) => {
    commands.push([cmd, ...args].join(' '));
    return { code: 0, stdout: '', stderr: '' };
  },
});

/** `linli service ...args` against the fake host: what it printed, or the error it threw. */
async function service(...args: string[]): Promise<{ out: string; error?: Error }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const cmd: Command = serviceCommand(host);
  cmd.exitOverride();
  for (const sub of cmd.commands) sub.exitOverride().configureOutput({ writeErr: (t) => (out += t) });
  try {
    await cmd.parseAsync(args, { from: 'user' });
    return { out };
  } catch (error) {
    return { out, error: error as Error };
  } finally {
    spy.mockRestore();
  }
}

describe('linli service (the command line)', () => {
  it('install prints each step, then "nothing to change" the second time', async () => {
    const first = await service('install', '--root', root);
    expect(first.error).toBeUndefined();
    expect(first.out).toContain(`linli service install (root ${root}):`);
    expect(first.out).toContain('✓ create system user linli');
    expect(first.out).toContain('✓ write /etc/systemd/system/linli.service');
    const second = await service('install', '--root', root);
    expect(second.out).toMatch(/= \/etc\/systemd\/system\/linli\.service is up to date/);
    expect(second.out).toMatch(/nothing to change: linli is installed as asked\n$/);
    expect(commands).toEqual([]);
  });

  it('passes the options on: user, folders, variants; --json is the report', async () => {
    const { out } = await service(
      'install',
      '--root',
      root,
      '--user',
      'gateway',
      '--data',
      '/srv/linli/',
      '--config',
      '/srv/linli-etc/gw.yaml',
      '--pcsc',
      '--json',
    );
    const report = JSON.parse(out) as { changed: boolean; unit: string; root: string };
    expect(report.root).toBe(root);
    expect(report.unit).toBe(
      renderUnit({
        nodePath: '/usr/local/bin/node',
        binPath: '/usr/local/lib/node_modules/linli-gateway/bin/linli.mjs',
        user: 'gateway',
        configPath: '/srv/linli-etc/gw.yaml',
        dataDir: '/srv/linli',
        pcsc: true,
        writablePaths: exampleBackupTarget(),
      }),
    );
    expect(readFileSync(join(root, 'srv/linli-etc/gw.yaml'), 'utf8')).toMatch(/^dataDir: \/srv\/linli /m);
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toMatch(/^gateway:x:999:999:.*:\/srv\/linli:/m);
  });

  it('refuses a relative --config or --data before doing anything', async () => {
    const { out, error } = await service('install', '--root', root, '--data', 'data');
    expect(error).toBeDefined();
    expect(out).toMatch(/--data must be an absolute path/);
  });

  it('on the machine, --no-start enables without starting; uninstall --dry-run only asks systemctl', async () => {
    // no --root: the real machine's paths, so only a dry run here, with every command recorded
    const { out } = await service('install', '--dry-run', '--no-start', '--json');
    const report = JSON.parse(out) as { steps: { status: string; detail: string }[] };
    expect(report.steps.at(-1)?.detail).toBe('systemctl enable linli.service');
    expect(report.steps.every((s) => s.status !== 'done')).toBe(true);
    expect(commands).toEqual(['systemctl is-enabled linli.service', 'systemctl is-active linli.service']);
  });

  it('unit prints the unit install would write, with a variant', async () => {
    // (without the config's backup target: install reads that from the config it finds or writes)
    const { out } = await service('unit', '--gpio');
    expect(out).toBe(
      renderUnit({
        nodePath: '/usr/local/bin/node',
        binPath: '/usr/local/lib/node_modules/linli-gateway/bin/linli.mjs',
        user: 'linli',
        configPath: '/etc/linli/config.yaml',
        dataDir: '/var/lib/linli',
        gpio: true,
      }),
    );
  });

  it('the real host refuses to guess the package when not run through bin/linli.mjs', () => {
    expect(() => realHost()).toThrow(/must run from the linli command/);
  });
});
