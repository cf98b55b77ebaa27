import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, WIRE_ERROR_CODES } from '../../firmware-protocol/src/errors.ts';
import { GatewayStateSchema } from '../../firmware-protocol/src/messages/state.ts';
import { MESSAGE_SCHEMAS, renderJsonSchemas } from '../../firmware-protocol/scripts/render-json-schemas.ts';

const root = new URL('../../', import.meta.url).pathname;
const doc = readFileSync(join(root, 'firmware-protocol/PROTOCOL.md'), 'utf8');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === 'node_modules') return [];
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Fenced ```json blocks of PROTOCOL.md, parsed. */
function jsonExamples(): unknown[] {
  return [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? ''));
}

describe('PROTOCOL.md and the JSON Schemas stay in step with the code', () => {
  it('the committed JSON Schema files are what the zod schemas generate (else: npm run schemas)', () => {
    const dir = join(root, 'firmware-protocol/schemas');
    const expected = renderJsonSchemas();
    const committed = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.schema.json')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    expect(Object.keys(committed).sort(), 'schema files differ: run npm run schemas').toEqual(Object.keys(expected).sort());
    for (const [name, content] of Object.entries(expected)) expect(committed[name], `${name} is stale: run npm run schemas`).toBe(content);
  });

  it('lists every wire error code in its error table, and no code the catalogue lacks', () => {
    const section = doc.slice(doc.indexOf('[FWP-6.2]'), doc.indexOf('## 7 '));
    const listed = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...WIRE_ERROR_CODES].sort());
    for (const code of listed) expect(ERROR_CATALOGUE).toHaveProperty(code as string);
  });

  it('defines every FWP clause the source code cites', () => {
    const cited = new Set<string>();
    for (const dir of ['firmware-protocol/src', 'gateway', 'broker', 'devices', 'sim']) {
      for (const f of tsFiles(join(root, dir))) for (const m of readFileSync(f, 'utf8').matchAll(/FWP-(\d+\.\d+)/g)) cited.add(m[1] ?? '');
    }
    const defined = new Set([...doc.matchAll(/\*\*\[FWP-(\d+\.\d+)\]/g)].map((m) => m[1]));
    expect(cited.size).toBeGreaterThan(20);
    expect([...cited].filter((c) => !defined.has(c))).toEqual([]);
  });

  it('every JSON example is valid, against the zod schema and against the published JSON Schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const files = renderJsonSchemas();
    const examples = jsonExamples();
    expect(examples.length).toBeGreaterThanOrEqual(9);
    const seen = new Set<string>();
    for (const ex of examples) {
      const type = (ex as { type?: string }).type;
      const name = type ?? ('bootId' in (ex as object) ? 'gateway-state' : 'compartments' in (ex as object) ? 'locker-occupancy' : undefined);
      expect(name, JSON.stringify(ex)).toBeDefined();
      const entry = MESSAGE_SCHEMAS[name as string];
      expect(entry, `no schema for ${name}`).toBeDefined();
      const z = entry?.schema.safeParse(ex);
      expect(z?.success, `${name}: ${JSON.stringify(z?.error?.issues)}`).toBe(true);
      const id = `https://linli.dev/protocol/v1/${name}.schema.json`;
      const validate = ajv.getSchema(id) ?? ajv.compile(JSON.parse(files[`${name}.schema.json`] ?? '{}'));
      expect(validate(ex), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      seen.add(name as string);
    }
    for (const t of ['birth', 'death', 'heartbeat', 'telemetry', 'ack', 'command', 'error', 'request', 'response', 'gateway-state']) expect(seen).toContain(t);
    expect(GatewayStateSchema).toBeDefined();
  });

  it('the published JSON Schemas refuse what the gateway refuses (spot checks)', () => {
    const ajv = new Ajv2020({ strict: false });
    const files = renderJsonSchemas();
    const birth = ajv.compile(JSON.parse(files['birth.schema.json'] ?? '{}'));
    const base = { v: '1.0', id: 'x-1', ts: 1, seq: 0, type: 'birth' };
    expect(birth({ ...base, body: { kind: 'shop_scanner', bdSeq: 1, firmware: '1', capabilities: { merchantId: 'cafe-01' } } })).toBe(true);
    expect(birth({ ...base, body: { kind: 'shop_scanner', bdSeq: 70000, firmware: '1', capabilities: { merchantId: 'cafe-01' } } })).toBe(false);
    expect(birth({ ...base, body: { kind: 'toaster', bdSeq: 1, firmware: '1', capabilities: {} } })).toBe(false);
    const command = ajv.compile(JSON.parse(files['command.schema.json'] ?? '{}'));
    const cmd = { v: '1.0', id: 'g-1', ts: 1, seq: 0, type: 'command' };
    expect(command({ ...cmd, body: { name: 'unlock_door', args: { door: 'main' } } })).toBe(true);
    expect(command({ ...cmd, body: { name: 'unlock_door', args: { door: 'main', extra: 1 } } })).toBe(false);
  });
});
