#!/usr/bin/env node
// Runs the compiled gateway in dist/ with plain node: nothing is compiled at run time. `npm ci` builds
// dist/ (the "prepare" script), `npm pack` ships it, and `npm run build` rebuilds it after an edit.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const entry = new URL('dist/gateway/cli/main.js', root);
const stamp = new URL('dist/build.json', root);

function refuse(why) {
  process.stderr.write(`linli: ${why}: run \`npm run build\` in ${decodeURIComponent(root.pathname)}\n`);
  process.exit(1);
}

/** A source (or a folder's listing: a file added, moved or deleted) changed after the build began. */
function newerThan(dir, since) {
  if (statSync(dir).mtimeMs > since) return dir;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(e.name, dir);
    if (e.isDirectory()) {
      const found = newerThan(new URL(`${e.name}/`, dir), since);
      if (found) return found;
    } else if (!e.name.endsWith('.md') && statSync(path).mtimeMs > since) return path;
  }
  return undefined;
}

if (!existsSync(entry) || !existsSync(stamp)) refuse('the compiled gateway (dist/) is missing');
// In a checkout (tsconfig.build.json is not in the package), a dist/ older than the sources would run
// code that is not the code on disk; an installed package has no sources to compare with.
if (existsSync(new URL('tsconfig.build.json', root))) {
  const { startedAt, sources } = JSON.parse(readFileSync(stamp, 'utf8'));
  for (const dir of sources) {
    const changed = newerThan(new URL(`${dir}/`, root), startedAt);
    if (changed) refuse(`dist/ is older than the sources (${decodeURIComponent(changed.pathname)} changed since)`);
  }
}
const { main } = await import(entry.href);
await main(process.argv);
