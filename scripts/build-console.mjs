// The staff console (console/: Preact views, ECharts on the reports page) bundled for the browser into
// gateway/http/console-assets/, which scripts/build.mjs then copies under dist/ like any other asset the
// gateway serves. Minified, split (ECharts is a chunk only the reports page loads), each file also
// gzipped, so a phone on the community's Wi-Fi gets the least bytes. Nothing is fetched from a CDN.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Builds the console; returns the source files that went into it (for dist/build.json's inputs). */
export async function buildConsole(root) {
  const out = join(root, 'gateway/http/console-assets');
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: { app: 'console/main.tsx', 'app-style': 'console/style.css' },
    outdir: tmp,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome100', 'safari15', 'firefox100'],
    tsconfig: 'console/tsconfig.json',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  // esbuild names a CSS entry's output after the entry: the page links app.css
  const css = readFileSync(join(tmp, 'app-style.css'));
  rmSync(join(tmp, 'app-style.css'));
  writeFileSync(join(tmp, 'app.css'), css);
  writeFileSync(join(tmp, 'index.html'), readFileSync(join(root, 'console/index.html')));
  for (const f of readdirSync(tmp)) {
    if (/\.(js|css|html|txt)$/.test(f))
      writeFileSync(join(tmp, `${f}.gz`), gzipSync(readFileSync(join(tmp, f)), { level: 9 }));
  }
  rmSync(out, { recursive: true, force: true });
  // a rename is atomic: a gateway serving meanwhile sees the old files or the new ones
  const { renameSync } = await import('node:fs');
  renameSync(tmp, out);
  return [
    'console/index.html',
    ...Object.keys(metafile.inputs)
      .filter((f) => !f.split(/[\\/]/).includes('node_modules'))
      .map((f) => relative(root, join(root, f)).split(sep).join('/')),
  ];
}
