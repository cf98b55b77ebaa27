#!/usr/bin/env node
// npm run build (npm ci runs it through "prepare"; npm test and npm run bench run it first): bundles the
// runtime sources to plain JavaScript in dist/, so the CLI starts with plain node and no TypeScript loader.
//
// - esbuild bundles gateway/cli/main.ts and all it imports into dist/gateway/cli/ (main.js and its chunks).
//   Run as some 300 compiled files and 180 package files, node spent most of a `linli start` resolving,
//   reading and compiling them one by one (bench/cold-start.ts). Every `import()` stays lazy: it becomes a
//   chunk loaded when it runs (each command when chosen; fastify and mqtt.js after the broker answers).
// - The packages in BUNDLED (pure JavaScript, loaded before the broker answers) come into the bundle with
//   their own dependencies; pino starts its transport workers from files, which gateway/core/log.ts names
//   in node_modules. Every other package is imported from node_modules at run time: native addons, fastify
//   and its plugins (they read files beside them) and mqtt.js (both load after the broker answers),
//   pino-pretty.
// - tsconfig.build.json names the source folders. esbuild only strips the types: `tsc --noEmit -p .` in
//   npm test (and before npm pack) checks the types of everything, tests and benches included.
// - Every other file in those folders that the code may read at run time (the dashboard page, the PC/SC
//   child pcsc-child.mjs, ...) is copied to the same place under dist/, and each
//   `new URL('x', import.meta.url)` is rewritten to point there from the bundle. Only *.ts and *.md stay.
// - The output is built in a temporary folder and swapped in whole: no stale chunk survives, and a CLI
//   started meanwhile sees the old dist/ or the new one, never half of each.
// - dist/build.json records when the build began and what went into it (source files, their folders, the
//   copied files, node_modules' lockfile); bin/linli.mjs refuses to run a dist/ older than any of them.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildConsole } from './build-console.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const config = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
const sources = config.include;
// first: its output is one of the assets copied below, and must be older than this build's start
const consoleInputs = await buildConsole(root).catch((err) => {
  process.stderr.write(
    `build: the console did not build: ${err.errors ? `${err.errors.length} error(s)` : err.message}\n`,
  );
  process.exit(1);
});
// the console's files were written a moment ago: the build starts strictly after their times
await new Promise((r) => setTimeout(r, 5));
const startedAt = Date.now();
const tmp = join(root, `.dist-build-${process.pid}`);
/** Where main.js and every chunk land: `import.meta.url` means this folder in all of the bundle. */
const CODE_DIR = 'gateway/cli';
const BUNDLED = new Set([
  'zod',
  'yaml',
  'aedes',
  'aedes-persistence',
  'pino',
  'commander',
  'fastify-type-provider-zod',
]);
/**
 * Bundled from their CommonJS entry: commander's ES module entry re-exports its classes as top-level
 * constants, so the bundle would rename the classes themselves (CommanderError2, in its error names).
 */
const FROM_COMMONJS = new Set(['commander']);
const requireHere = createRequire(join(root, 'package.json'));
/** npm rewrites it on every install: a bundled package may have changed since. */
const PACKAGE_LOCK = 'node_modules/.package-lock.json';

/** Files the runtime may read beside the code: everything but TypeScript sources, tests and docs. */
const isAsset = (name) => !name.endsWith('.ts') && extname(name) !== '.md' && !/\.test\.[cm]?js$/.test(name);
const toPosix = (path) => path.split(sep).join('/');

/** Copies the assets under `dir` to the temporary dist/; returns them and the folders walked. */
function copyAssets(dir, found = { assets: [], dirs: [] }) {
  found.dirs.push(toPosix(dir));
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'scripts') copyAssets(path, found);
    } else if (entry.isFile() && isAsset(entry.name)) {
      mkdirSync(join(tmp, dir), { recursive: true });
      copyFileSync(join(root, path), join(tmp, path));
      found.assets.push(toPosix(path));
    }
  }
  return found;
}

const packageOf = (specifier) => specifier.split('/', specifier.startsWith('@') ? 2 : 1).join('/');
const isOwn = (file) =>
  !relative(root, file).startsWith('..') && !relative(root, file).split(sep).includes('node_modules');

/** A package imported by our sources is bundled only if it is in BUNDLED; its own imports come along. */
const packages = {
  name: 'linli-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || !isOwn(args.importer)) return undefined;
      const name = packageOf(args.path);
      if (FROM_COMMONJS.has(name)) return { path: requireHere.resolve(args.path) };
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

const ASSET_URL = /new URL\((['"])([^'"]+)\1, import\.meta\.url\)/g;
/** The only other use of import.meta that means the same in the bundle: node_modules is found from dist/ too. */
const REQUIRE_HERE = 'createRequire(import.meta.url)';

/**
 * `new URL('x', import.meta.url)` in a source names a file beside it; in the bundle import.meta.url is the
 * chunk's, so the path is rewritten to the copy under dist/. Any other import.meta fails the build.
 */
const assetUrls = {
  name: 'linli-asset-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!isOwn(args.path)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const errors = [];
      const contents = source.replace(ASSET_URL, (_, _q, name) => {
        const asset = join(dirname(args.path), name);
        if (!existsSync(asset)) errors.push({ text: `${name} (from new URL(..., import.meta.url)) does not exist` });
        const fromCode = posix.relative(CODE_DIR, toPosix(relative(root, asset)));
        return `new URL(${JSON.stringify(fromCode)}, import.meta.url)`;
      });
      if (contents.replaceAll(ASSET_URL, '').replaceAll(REQUIRE_HERE, '').includes('import.meta'))
        errors.push({
          text: 'import.meta other than new URL(file, import.meta.url) means another thing in the bundle',
        });
      return { contents, loader: 'ts', errors };
    });
  },
};

/**
 * The bundle renames a class of ours that shares its name with another in the same chunk (X becomes X2),
 * and `X.name` with it: an error would be logged as X2. esbuild's keepNames would prevent it but cost
 * 10-15 ms of CPU at every start (a name set on each function zod creates per schema), so this refuses it.
 */
function renamedClasses(metafile) {
  const ours = new Set();
  for (const f of Object.keys(metafile.inputs).filter((i) => isOwn(join(root, i))))
    for (const [, name] of readFileSync(join(root, f), 'utf8').matchAll(/\bclass ([A-Za-z_$][\w$]*)/g)) ours.add(name);
  const renamed = [];
  for (const out of Object.keys(metafile.outputs).filter((o) => o.endsWith('.js')))
    for (const [, name, n] of readFileSync(join(root, out), 'utf8').matchAll(
      /\b(?:var |class )([A-Za-z_$][\w$]*?)(\d+)\b/g,
    ))
      if (ours.has(name) && !ours.has(`${name}${n}`)) renamed.push(`${name} (as ${name}${n})`);
  return [...new Set(renamed)];
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
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: { [`${CODE_DIR}/main`]: `${CODE_DIR}/main.ts` },
    outdir: tmp,
    chunkNames: `${CODE_DIR}/chunk-[hash]`,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: 'tsconfig.build.json',
    // bundled CommonJS packages require node's own modules, which an ES module can only do through this
    banner: {
      js:
        "import { createRequire as linliCreateRequire } from 'node:module';\n" +
        'const require = linliCreateRequire(import.meta.url);',
    },
    // stack traces name the bundle's lines; node --enable-source-maps maps them to the sources
    sourcemap: 'linked',
    sourcesContent: false,
    plugins: [packages, assetUrls],
    metafile: true,
    logLevel: 'warning',
  });
  const renamed = renamedClasses(metafile);
  if (renamed.length > 0)
    throw new Error(`classes renamed in the bundle (give each its own name): ${renamed.join(', ')}`);
  const { assets, dirs } = sources.reduce((found, dir) => copyAssets(dir, found), { assets: [], dirs: [] });
  const code = Object.keys(metafile.inputs).filter((f) => isOwn(join(root, f)));
  const inputs = [
    ...dirs,
    ...code,
    ...assets,
    ...consoleInputs,
    ...(existsSync(join(root, PACKAGE_LOCK)) ? [PACKAGE_LOCK] : []),
  ];
  writeFileSync(join(tmp, 'build.json'), `${JSON.stringify({ startedAt, sources, inputs }, null, 2)}\n`);
  swapIn();
} catch (err) {
  rmSync(tmp, { recursive: true, force: true });
  // esbuild has printed its errors already
  process.stderr.write(`build: ${err.errors ? `${err.errors.length} error(s)` : err.message}; dist/ left as it was\n`);
  process.exit(1);
}
process.stdout.write(`build: ${relative(root, dist)}/ from ${sources.join(', ')} in ${Date.now() - startedAt} ms\n`);
