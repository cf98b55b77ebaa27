import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.ts';
import { BIN, linliProcess } from './cli-support.ts';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean }>;
};
const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
const TOOLS = ['tsx', 'esbuild'];

/** Files beside the sources that the compiled code may read at run time (what scripts/build.mjs copies). */
function assets(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'scripts' || e.name === 'node_modules' ? [] : assets(path);
    return e.name.endsWith('.ts') || e.name.endsWith('.md') ? [] : [path];
  });
}

/**
 * The package runs compiled JavaScript with plain node: no TypeScript loader or compiler among what it
 * needs at run time. vitest's global setup builds dist/ before the tests run, so these exercise the current sources.
 */
describe('linli ships compiled JavaScript', () => {
  const tmp = tempDir('linli-compiled-');
  afterAll(() => tmp.cleanup());

  it('neither tsx nor esbuild is a runtime dependency, directly or through another package', () => {
    const runtime = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies };
    for (const tool of TOOLS) {
      expect(Object.keys(runtime)).not.toContain(tool);
      const entry = lock.packages[`node_modules/${tool}`];
      if (entry) expect(entry.dev, `${tool} in package-lock.json`).toBe(true);
    }
  });

  it('bin/linli.mjs loads no TypeScript loader; the package ships bin and dist, and npm ci builds it', () => {
    expect(readFileSync(BIN, 'utf8')).not.toMatch(/tsx|\.ts['"]/);
    expect(pkg.bin.linli).toBe('bin/linli.mjs');
    expect(pkg.files).toEqual(expect.arrayContaining(['bin/', 'dist/']));
    expect(pkg.scripts.prepare).toMatch(/build/);
    expect(pkg.scripts.test).toMatch(/^node scripts\/ensure-system-packages\.mjs && .* && vitest run$/);
    // vitest's global setup builds dist/ before any test runs, filtered runs included
    expect(readFileSync(join(root, 'vitest.config.ts'), 'utf8')).toContain('test/support/build-once.ts');
  });

  it('node bin/linli.mjs --version prints the package version and exits 0', async () => {
    const r = await linliProcess(['--version']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('every file the sources read beside them (staff console, PC/SC child, ...) is in dist/ too', () => {
    const found = build.include.flatMap(assets);
    expect(found).toEqual(
      expect.arrayContaining([
        'gateway/http/console-assets/index.html',
        'gateway/http/console-assets/app.js',
        'devices/box/pcsc-child.mjs',
      ]),
    );
    for (const f of found) expect(existsSync(join(root, 'dist', f)), `dist/${f}`).toBe(true);
  });

  it('every file the bundle looks up beside itself (new URL(file, import.meta.url)) is in dist/', () => {
    const code = join(root, 'dist', 'gateway', 'cli');
    const looked = readdirSync(code)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => [...readFileSync(join(code, f), 'utf8').matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)])
      .map((m) => join(code, m[1] as string));
    expect(looked).toEqual(
      expect.arrayContaining([
        join(root, 'dist/gateway/http/console-assets/index.html'),
        join(root, 'dist/devices/box/pcsc-child.mjs'),
      ]),
    );
    for (const f of looked) expect(existsSync(f), f).toBe(true);
  });

  /** A copy of bin/linli.mjs in a folder of its own: it looks for dist/ beside itself. */
  const install = (
    name: string,
    opts: { dist?: boolean; startedAt?: number; checkout?: boolean; inputs?: string[] },
  ): string => {
    const dir = join(tmp.dir, name);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    copyFileSync(BIN, join(dir, 'bin', 'linli.mjs'));
    if (opts.dist) {
      mkdirSync(join(dir, 'dist', 'gateway', 'cli'), { recursive: true });
      writeFileSync(
        join(dir, 'dist', 'gateway', 'cli', 'main.js'),
        'export async function main() { console.log("ran"); }\n',
      );
      // what the build went through: the source folder, then each file (here one)
      const inputs = ['gateway', 'gateway/app.ts', ...(opts.inputs ?? [])];
      writeFileSync(
        join(dir, 'dist', 'build.json'),
        JSON.stringify({ startedAt: opts.startedAt, sources: ['gateway'], inputs }),
      );
    }
    if (opts.checkout) {
      writeFileSync(join(dir, 'tsconfig.build.json'), '{}');
      mkdirSync(join(dir, 'gateway'));
      writeFileSync(join(dir, 'gateway', 'app.ts'), '');
    }
    return join(dir, 'bin', 'linli.mjs');
  };
  const node = (bin: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin], { timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it(
    'without dist/ (npm install --ignore-scripts), ' + 'or with sources newer than it, one line: run npm run build',
    async () => {
      const missing = await node(install('missing', {}));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(
        /^linli: the compiled gateway \(dist\/\) is missing: run `npm run build` in .+\n$/,
      );

      const stale = await node(install('stale', { dist: true, startedAt: 0, checkout: true }));
      expect(stale.code).toBe(1);
      expect(stale.stderr).toMatch(/^linli: dist\/ is older than the sources \(.+\): run `npm run build` in .+\n$/);
      // a source the build read that is gone since (its folder's time may not tell: the build began later)
      const later = Date.now() + 60_000;
      const gone = await node(
        install('gone', { dist: true, startedAt: later, checkout: true, inputs: ['gateway/x.ts'] }),
      );
      expect(gone.code).toBe(1);
      expect(gone.stderr).toMatch(/^linli: dist\/ is older than the sources \(.+gateway\/x\.ts is gone since\)/);

      const fresh = await node(install('fresh', { dist: true, startedAt: later, checkout: true }));
      expect(fresh).toEqual({ code: 0, stdout: 'ran\n', stderr: '' });
      // an installed package has no sources to compare with
      const installed = await node(install('installed', { dist: true, startedAt: 0 }));
      expect(installed).toEqual({ code: 0, stdout: 'ran\n', stderr: '' });
    },
  );
});
