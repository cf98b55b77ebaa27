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
    const committed = Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.schema.json'))
        .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
    );
    expect(Object.keys(committed).sort(), 'schema files differ: run npm run schemas').toEqual(
      Object.keys(expected).sort(),
    );
    for (const [name, content] of Object.entries(expected))
      expect(committed[name], `${name} is stale: run npm run schemas`).toBe(content);
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
      for (const f of tsFiles(join(root, dir)))
        for (const m of readFileSync(f, 'utf8').matchAll(/FWP-(\d+\.\d+)/g)) cited.add(m[1] ?? '');
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
      const name =
        type ??
        ('bootId' in (ex as object)
          ? 'gateway-state'
          : 'compartments' in (ex as object)
            ? 'locker-occupancy'
            : undefined);
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
    for (const t of [
      'birth',
      'death',
      'heartbeat',
      'telemetry',
      'ack',
      'command',
      'error',
      'request',
      'response',
      'gateway-state',
    ])
      expect(seen).toContain(t);
    expect(GatewayStateSchema).toBeDefined();
  });

  it('the published JSON Schemas refuse what the gateway refuses (spot checks)', () => {
    const ajv = new Ajv2020({ strict: false });
    const files = renderJsonSchemas();
    const birth = ajv.compile(JSON.parse(files['birth.schema.json'] ?? '{}'));
    const base = { v: '1.0', id: 'x-1', ts: 1, seq: 0, type: 'birth' };
    expect(
      birth({
        ...base,
        body: { kind: 'shop_scanner', bdSeq: 1, firmware: '1', capabilities: { merchantId: 'cafe-01' } },
      }),
    ).toBe(true);
    expect(
      birth({
        ...base,
        body: { kind: 'shop_scanner', bdSeq: 70000, firmware: '1', capabilities: { merchantId: 'cafe-01' } },
      }),
    ).toBe(false);
    expect(birth({ ...base, body: { kind: 'toaster', bdSeq: 1, firmware: '1', capabilities: {} } })).toBe(false);
    const command = ajv.compile(JSON.parse(files['command.schema.json'] ?? '{}'));
    const cmd = { v: '1.0', id: 'g-1', ts: 1, seq: 0, type: 'command' };
    expect(command({ ...cmd, body: { name: 'unlock_door', args: { door: 'main' } } })).toBe(true);
    expect(command({ ...cmd, body: { name: 'unlock_door', args: { door: 'main', extra: 1 } } })).toBe(false);
  });
});

describe('PROTOCOL.md says what the gateway does (1.2 review)', () => {
  /** From a clause's definition (bold, not a mention) to the next marker. */
  const section = (from: string, to: string) => {
    const at = doc.indexOf(from.startsWith('[') ? `**${from}` : from);
    return doc.slice(at, doc.indexOf(to.startsWith('[') ? `**${to}` : to, at + 1));
  };

  it('one version everywhere: the title, FWP-2.3, the changelog and every example', async () => {
    const { PROTOCOL_VERSION, PROTOCOL_MINOR, PROTOCOL_MAJOR } = await import('../../firmware-protocol/src/version.ts');
    expect(doc.split('\n')[0]).toBe(`# Linli device protocol, version ${PROTOCOL_VERSION}`);
    expect(section('[FWP-2.3]', '[FWP-2.4]')).toContain(`now \`${PROTOCOL_VERSION}\``);
    for (let minor = 0; minor <= PROTOCOL_MINOR; minor++) expect(doc).toContain(`- **${PROTOCOL_MAJOR}.${minor}** — `);
    const versions = jsonExamples()
      .map((ex) => (ex as { v?: string; protocol?: string }).v ?? (ex as { protocol?: string }).protocol)
      .filter((v) => v !== undefined);
    expect(versions.length).toBeGreaterThan(10);
    expect(new Set(versions)).toEqual(new Set([PROTOCOL_VERSION]));
  });

  it(
    'the limits it documents are the gateway’s: ' +
      'the error-reply cap, the per-device budgets, CONNACK codes 0–5 only',
    async () => {
      const { REFUSALS_PER_MINUTE } = await import('../../gateway/messaging/uplink-router.ts');
      const { DeviceLimitsSchema } = await import('../../gateway/config/schema.ts');
      expect(section('[FWP-5.2]', '[FWP-5.3]')).toContain(`at most ${REFUSALS_PER_MINUTE} error replies a minute`);
      const d = DeviceLimitsSchema.parse({});
      const budgets = section('[FWP-5.3]', '## 6 ');
      expect(budgets).toContain(
        `default ${d.messagesPerSecond}, bursts of \`limits.messageBurst\`, default ${d.messageBurst}`,
      );
      expect(budgets).toContain(
        `default ${d.requestsPerSecond}, bursts of \`limits.requestBurst\`, default ${d.requestBurst}`,
      );
      const connack = section('[FWP-2.2]', '[FWP-2.3]');
      const codes = [...connack.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
      expect(codes).toEqual([0, 1, 2, 3, 4, 5]);
    },
  );

  it('the subscriptions it advises are the ones the broker grants', async () => {
    const { maySubscribe } = await import('../../broker/src/acl.ts');
    const device = { kind: 'device' as const, deviceId: 'door-01' };
    const advised = [...doc.matchAll(/`(linli\/[^`\s]*?(?:down\/[+#a-z]+|gw\/state))`/g)].map((m) =>
      (m[1] ?? '').replaceAll('{id}', 'door-01'),
    );
    expect(advised).toContain('linli/+/dev/door-01/down/error');
    // placeholders such as {N} are not filters a device would send
    for (const filter of advised.filter((f) => !f.includes('{') && (f.includes('door-01') || f.endsWith('gw/state'))))
      expect(maySubscribe(device, filter), filter).toEqual({ allow: true });
  });

  it('every field of a response is documented in section 11, and txn is required on a response', async () => {
    const { ResponseBodySchema, ResponseMessageSchema } = await import(
      '../../firmware-protocol/src/messages/redemption.ts'
    );
    const eleven = doc.slice(doc.indexOf('## 11 '), doc.indexOf('## 12 '));
    const ok = ResponseBodySchema.options.find((o) => o.shape.status.value === 'ok');
    for (const field of Object.keys(ok?.shape ?? {}))
      expect(eleven, `response field ${field}`).toContain(`\`${field}\``);
    const response = {
      v: '1.3',
      id: 'gw-1',
      ts: 1,
      seq: 1,
      type: 'response',
      corr: 'd-1',
      body: { status: 'ok', op: 'lookup', decision: 'none', display: { zh: '好', en: 'ok' } },
    };
    expect(ResponseMessageSchema.safeParse(response).success).toBe(false);
    expect(ResponseMessageSchema.safeParse({ ...response, txn: 't-1' }).success).toBe(true);
  });

  it('every wire code has a display in both languages that never invites a retry the error table forbids', async () => {
    const { ERROR_DISPLAY } = await import('../../firmware-protocol/src/error-display.ts');
    const table = doc.slice(doc.indexOf('[FWP-6.2]'), doc.indexOf('## 7 '));
    for (const code of WIRE_ERROR_CODES) {
      const display = ERROR_DISPLAY[code as keyof typeof ERROR_DISPLAY];
      expect(display, code).toBeDefined();
      expect(display.zh, code).toMatch(/[\u4e00-\u9fff]/);
      expect(display.en.length, code).toBeGreaterThan(3);
      const row = table.split('\n').find((l) => l.startsWith(`| \`${code}\` |`)) ?? '';
      const advice = row.split('|').at(-2) ?? '';
      if (/do not retry|fix the firmware|fix the configuration|staff API answer/.test(advice)) {
        expect(display.zh, code).not.toMatch(/稍后再试|请重试/);
        expect(display.en, code).not.toMatch(/try again/i);
      }
    }
    // not the generic "busy" for codes that are no such thing (the outside review's examples)
    for (const code of ['TXN_REUSED', 'OPERATION_NOT_ALLOWED', 'REDEMPTION_NOT_FOUND'] as const)
      expect(ERROR_DISPLAY[code].zh).not.toContain('系统繁忙');
  });
});
