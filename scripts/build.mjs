#!/usr/bin/env node
// npm run build (npm ci runs it through "prepare"; npm test and npm run bench run it first): compiles the
// runtime sources to plain JavaScript in dist/, so the CLI starts with plain node and no TypeScript loader.
//
// - tsconfig.build.json lists the source folders; its "rewriteRelativeImportExtensions" turns the sources'
//   `./x.ts` imports into `./x.js`. It emits without type checking ("noCheck"): `tsc --noEmit -p .` in
//   npm test (and before npm pack) checks the types of everything, tests and benches included.
// - Every other file in those folders that the code may read at run time (the dashboard page, the PC/SC
//   child pcsc-child.mjs, ...) is copied beside its compiled neighbours, so `new URL('x', import.meta.url)`
//   finds it in dist/ as it does in the sources. Only *.ts and *.md stay behind.
// - The output is built in a temporary folder and swapped in whole: no stale file of a moved source
//   survives, and a CLI started meanwhile sees the old dist/ or the new one, never half of each.
// - dist/build.json records when the build began and from which folders; bin/linli.mjs refuses to run
//   a dist/ older than the sources of a checkout.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const config = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
const sources = config.include;
const startedAt = Date.now();
const tmp = join(root, `.dist-build-${process.pid}`);

/** Files the runtime may read beside the code: everything but TypeScript sources, tests and docs. */
const isAsset = (name) => !name.endsWith('.ts') && extname(name) !== '.md' && !/\.test\.[cm]?js$/.test(name);

function copyAssets(dir) {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'scripts') copyAssets(path);
    } else if (entry.isFile() && isAsset(entry.name)) {
      mkdirSync(join(tmp, dir), { recursive: true });
      copyFileSync(join(root, path), join(tmp, path));
    }
  }
}

/** Replaces dist/ with the new build; retries when a concurrent build swapped its own in meanwhile. */
function swapIn() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const old = join(root, `.dist-old-${process.pid}-${attempt}`);
    try {
      renameSync(dist, old);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    try {
      renameSync(tmp, dist);
      return;
    } catch (err) {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  }
  throw new Error('dist/ kept changing under this build (other builds running?); run npm run build again');
}

try {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', tmp], {
    cwd: root,
    stdio: 'inherit',
  });
  for (const dir of sources) copyAssets(dir);
  writeFileSync(join(tmp, 'build.json'), `${JSON.stringify({ startedAt, sources }, null, 2)}\n`);
  swapIn();
} catch (err) {
  rmSync(tmp, { recursive: true, force: true });
  const what = err.status !== undefined ? `tsc exited with ${err.status}` : err.message;
  process.stderr.write(`build: ${what}; dist/ left as it was\n`);
  process.exit(1);
}
process.stdout.write(`build: ${relative(root, dist)}/ from ${sources.join(', ')} in ${Date.now() - startedAt} ms\n`);
