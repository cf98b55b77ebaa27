import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = new URL('../..', import.meta.url).pathname;
/**
 * Unpacked inside the checkout (a gitignored name): node finds the repository's node_modules from there.
 * A checkout in /tmp or a home folder (CI clones anywhere) is hidden by the unit's sandbox and install refuses a
 * package there: then it is unpacked under /var/lib (the test command runs as root) with node_modules linked.
 */
const hidden = ['/home/', '/root/', '/run/user/', '/tmp/', '/var/tmp/'].some((h) => repo.startsWith(h));
const work = mkdtempSync(hidden ? '/var/lib/linli-test-pack-' : join(repo, '.linli-test-pack-'));
if (hidden) symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'), 'dir');
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Packed {
  filename: string;
  files: { path: string }[];
}

let packed: Packed;
beforeAll(() => {
  // --ignore-scripts: prepack's type check is npm test's; the vitest global setup built dist/ just now
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  packed = (JSON.parse(out) as Packed[])[0] as Packed;
  execFileSync('tar', ['xzf', join(work, packed.filename), '-C', work]);
}, 120_000);

const run = (...args: string[]) =>
  spawnSync(process.execPath, [join(work, 'package/bin/linli.mjs'), ...args], { encoding: 'utf8', timeout: 60_000 });

describe('the npm package ships only what runs', () => {
  it('holds the bin, the compiled gateway, the example config, the unit and the README; no source or test', () => {
    const paths = packed.files.map((f) => f.path);
    const allowed =
      /^(bin\/linli\.mjs|dist\/.+|config\/example\.yaml|systemd\/linli\.service|README\.md|package\.json)$/;
    expect(paths.filter((p) => !allowed.test(p))).toEqual([]);
    expect(paths.filter((p) => /\.(ts|tsx|map)$|(^|\/)(test|bench|console|scripts)\//.test(p))).toEqual([]);
    for (const needed of ['bin/linli.mjs', 'dist/gateway/cli/main.js', 'config/example.yaml', 'systemd/linli.service'])
      expect(paths).toContain(needed);
  });

  it('the unpacked package runs: --version, and a service install dry run into an image root', () => {
    const version = run('--version');
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);

    const root = join(work, 'image');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    const dry = run('service', 'install', '--root', root, '--dry-run', '--json');
    expect(dry.stderr).toBe('');
    const report = JSON.parse(dry.stdout) as { changed: boolean; unit: string; steps: { status: string }[] };
    expect(report.changed).toBe(true);
    expect(report.steps.every((s) => s.status === 'planned')).toBe(true);
    // the unit names this node and the unpacked package's own bin, not the checkout's
    expect(report.unit).toContain(`\nExecStart=${process.execPath} ${join(work, 'package/bin/linli.mjs')} start\n`);
    expect(readdirSync(root, { recursive: true }).sort()).toEqual(['etc', 'etc/passwd']);
  });
});
