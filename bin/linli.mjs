#!/usr/bin/env node
// Runs the compiled gateway in dist/ with plain node: nothing is compiled at run time. `npm ci` builds
// dist/ (the "prepare" script), `npm pack` ships it, and `npm run build` rebuilds it after an edit.
import { existsSync, readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const entry = new URL('dist/gateway/cli/main.js', root);
const stamp = new URL('dist/build.json', root);

function refuse(why) {
  process.stderr.write(`linli: ${why}: run \`npm run build\` in ${decodeURIComponent(root.pathname)}\n`);
  process.exit(1);
}

if (!existsSync(entry) || !existsSync(stamp)) refuse('the compiled gateway (dist/) is missing');
// In a checkout (tsconfig.build.json is not in the package), a dist/ older than the sources would run
// code that is not the code on disk; an installed package has no sources to compare with. The build
// listed what went into it, folders included (a file added, moved or deleted changes its folder): one
// stat each, where walking the source folders cost more than all the rest of this file.
if (existsSync(new URL('tsconfig.build.json', root))) {
  const { startedAt, inputs } = JSON.parse(readFileSync(stamp, 'utf8'));
  if (!Array.isArray(inputs)) refuse('dist/ was built by an older scripts/build.mjs');
  const base = decodeURIComponent(root.pathname);
  for (const input of inputs) {
    const mtime = statSync(base + input, { throwIfNoEntry: false })?.mtimeMs;
    if (mtime === undefined || mtime > startedAt)
      refuse(`dist/ is older than the sources (${base}${input} ${mtime === undefined ? 'is gone' : 'changed'} since)`);
  }
}
const { main } = await import(entry.href);
await main(process.argv);
