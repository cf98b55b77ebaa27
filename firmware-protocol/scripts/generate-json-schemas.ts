import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJsonSchemas } from './render-json-schemas.ts';

// Writes firmware-protocol/schemas/*.schema.json from the zod schemas; removes files no message has any more.
const dir = join(import.meta.dirname, '..', 'schemas');
const files = renderJsonSchemas();
for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
for (const f of readdirSync(dir)) if (f.endsWith('.schema.json') && !(f in files)) unlinkSync(join(dir, f));
process.stdout.write(`wrote ${Object.keys(files).length} JSON Schemas to ${dir}\n`);
