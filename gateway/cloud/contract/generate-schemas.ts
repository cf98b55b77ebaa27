import { execFileSync } from 'node:child_process';
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCloudSchemas } from './render-schemas.ts';

// Writes gateway/cloud/contract/schemas/*.schema.json from the zod schemas, removes files no message has any
// more, and lets Biome lay them out as it lays out every JSON file of the repository (`biome ci` checks them).
const dir = join(import.meta.dirname, 'schemas');
const files = renderCloudSchemas();
for (const [name, content] of Object.entries(files))
  writeFileSync(join(dir, name), `${JSON.stringify(content, null, 2)}\n`);
for (const f of readdirSync(dir)) if (f.endsWith('.schema.json') && !(f in files)) unlinkSync(join(dir, f));
const biome = join(import.meta.dirname, '..', '..', '..', 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
execFileSync(process.execPath, [biome, 'format', '--write', dir], { stdio: 'pipe' });
process.stdout.write(`wrote ${Object.keys(files).length} JSON Schemas to ${dir}\n`);
