import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  CLOUD_EVENT_TYPES,
  CLOUD_EVENTS,
  CLOUD_MESSAGES,
  CLOUD_PROTOCOL_MAJOR,
  CLOUD_PROTOCOL_VERSION,
  DOC_BODIES,
  DOC_NAMES,
  DROPPABLE,
  STREAMS,
  cloudTopics,
} from '../../gateway/cloud/contract/index.ts';
import { renderCloudSchemas, schemaId } from '../../gateway/cloud/contract/render-schemas.ts';
import { RedemptionResultSchema } from '../../gateway/redemption/service/result.ts';
import { CloudConfigSchema } from '../../gateway/config/schema.ts';

const root = new URL('../../', import.meta.url).pathname;
const doc = readFileSync(join(root, 'gateway/cloud/CLOUD-PROTOCOL.md'), 'utf8');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === 'node_modules') return [];
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Fenced ```json NAME blocks of the document, parsed, with the message name they are labelled with. */
function examples(): { name: string; json: unknown }[] {
  return [...doc.matchAll(/```json( [a-z._-]+)?\n([\s\S]*?)```/g)].map((m) => ({
    name: (m[1] ?? '').trim(),
    json: JSON.parse(m[2] ?? ''),
  }));
}

/** A clause's text: from its definition (bold) to the next clause or section. */
function clause(id: string): string {
  const at = doc.indexOf(`**[${id}]`);
  if (at < 0) throw new Error(`${id} is not defined`);
  const next = doc.slice(at + 1).search(/\*\*\[CLP-|\n## /);
  return next < 0 ? doc.slice(at) : doc.slice(at, at + 1 + next);
}

/** Every field name of a schema, nested objects and arrays included (not inside the `skip` fields). */
function fieldsOf(schema: z.ZodType, skip: ReadonlySet<string> = new Set()): Set<string> {
  const out = new Set<string>();
  const walk = (s: z.ZodType): void => {
    if (s instanceof z.ZodObject) {
      for (const [k, v] of Object.entries(s.shape as Record<string, z.ZodType>)) {
        out.add(k);
        if (!skip.has(k)) walk(v);
      }
    } else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault)
      walk(s.unwrap() as z.ZodType);
    else if (s instanceof z.ZodArray) walk(s.element as z.ZodType);
    else if (s instanceof z.ZodRecord) walk(s.valueType as z.ZodType);
    else if (s instanceof z.ZodUnion) for (const o of s.options) walk(o as z.ZodType);
  };
  walk(schema);
  return out;
}

const ENVELOPE = new Set(['id', 'seq', 'kind', 'at', 'historical', 'data']);

describe('CLOUD-PROTOCOL.md, the zod schemas and the JSON Schemas stay in step', () => {
  it(
    'the committed JSON Schema files are what the zod schemas generate (else: ' +
      'npx tsx gateway/cloud/contract/generate-schemas.ts)',
    () => {
      const dir = join(root, 'gateway/cloud/contract/schemas');
      const expected = renderCloudSchemas();
      const committed = Object.fromEntries(
        readdirSync(dir)
          .filter((f) => f.endsWith('.schema.json'))
          .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown]),
      );
      expect(Object.keys(committed).sort(), 'schema files differ: run the generator').toEqual(
        Object.keys(expected).sort(),
      );
      for (const [name, content] of Object.entries(expected))
        expect(committed[name], `${name} is stale: run the generator`).toEqual(content);
    },
  );

  it('every message has an example, and every example is valid against its zod schema and its JSON Schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const files = renderCloudSchemas();
    const seen = new Set<string>();
    for (const { name, json } of examples()) {
      const entry = CLOUD_MESSAGES[name];
      expect(entry, `example labelled "${name}" names no message: ${JSON.stringify(json).slice(0, 80)}`).toBeDefined();
      const parsed = entry?.schema.safeParse(json);
      expect(parsed?.success, `${name}: ${JSON.stringify(parsed?.error?.issues)}`).toBe(true);
      const validate = ajv.getSchema(schemaId(name)) ?? ajv.compile(files[`${name}.schema.json`] ?? {});
      expect(validate(json), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      seen.add(name);
    }
    expect(
      [...Object.keys(CLOUD_MESSAGES)].filter((m) => !seen.has(m)),
      'messages without an example',
    ).toEqual([]);
  });

  it('the examples are consistent: one gateway, its epoch, the major in every v', () => {
    const all = examples().map((e) => e.json as Record<string, unknown>);
    for (const x of all) if ('v' in x) expect(x.v).toBe(CLOUD_PROTOCOL_MAJOR);
    for (const x of all.filter((e) => 'events' in e)) expect(x.gatewayId).toBe('gw-sunshine');
    for (const x of all) if ('epoch' in x) expect(x.epoch).toBe('5f2a9c01be7d');
  });

  it('lists every event type with its stream and clause, and no other', () => {
    const table = clause('CLP-4.1');
    const rows = [...table.matchAll(/^\| `([a-z_.]+)` \| ([a-z]+) \| \[(CLP-[\d.]+)\] \|$/gm)].map((m) => ({
      type: m[1] as string,
      stream: m[2],
      clause: m[3],
    }));
    expect(rows.map((r) => r.type).sort()).toEqual([...CLOUD_EVENT_TYPES].sort());
    for (const r of rows) {
      const spec = CLOUD_EVENTS[r.type as keyof typeof CLOUD_EVENTS];
      expect({ type: r.type, stream: r.stream, clause: r.clause }).toEqual({
        type: r.type,
        stream: spec.stream,
        clause: spec.clause,
      });
      expect(clause(spec.clause), `${r.type} is described in ${spec.clause}`).toContain(`\`${r.type}\``);
    }
  });

  it('documents every field of every event, envelope and document in its clause', () => {
    const documented = (id: string, fields: Iterable<string>, what: string) => {
      const text = clause(id);
      for (const f of fields) expect(text, `${what}: field ${f} in ${id}`).toContain(`\`${f}\``);
    };
    for (const t of CLOUD_EVENT_TYPES) documented(CLOUD_EVENTS[t].clause, fieldsOf(CLOUD_EVENTS[t].schema), t);
    documented('CLP-3.2', fieldsOf(CLOUD_MESSAGES['batch.money']?.schema ?? z.never(), new Set(['events'])), 'batch');
    documented('CLP-3.3', ENVELOPE, 'event');
    documented('CLP-3.7', fieldsOf(CLOUD_MESSAGES.ack?.schema ?? z.never()), 'ack');
    documented('CLP-1.5', fieldsOf(CLOUD_MESSAGES['gateway-state']?.schema ?? z.never()), 'state');
    documented('CLP-5.4', fieldsOf(CLOUD_MESSAGES['doc-ack']?.schema ?? z.never()), 'docack');
    documented('CLP-6.1', fieldsOf(CLOUD_MESSAGES['topup-request']?.schema ?? z.never()), 'topup request');
    documented('CLP-6.2', fieldsOf(CLOUD_MESSAGES['topup-response']?.schema ?? z.never()), 'topup response');
    documented(
      'CLP-5.1',
      fieldsOf(CLOUD_MESSAGES['document.hotlist']?.schema ?? z.never(), new Set(['body'])),
      'document',
    );
    const bodyClause: Record<string, string> = {
      hotlist: 'CLP-5.5',
      catalog: 'CLP-5.6',
      allowances: 'CLP-5.7',
      config: 'CLP-5.8',
      display: 'CLP-5.9',
      groupbuys: 'CLP-5.10',
      visitors: 'CLP-5.11',
      restore: 'CLP-5.12',
    };
    expect(Object.keys(bodyClause).sort()).toEqual([...DOC_NAMES].sort());
    // a campaign is the gateway's campaign model, documented by its schema file
    for (const d of DOC_NAMES)
      documented(bodyClause[d] ?? '', fieldsOf(DOC_BODIES[d], new Set(['campaigns'])), `document ${d}`);
  });

  it('the streams and topics it lists are the gateway’s', () => {
    const streams = [...clause('CLP-3.1').matchAll(/^\| `([a-z]+)` \| .* \| (never|oldest first.*) \|$/gm)];
    expect(streams.map((m) => m[1])).toEqual([...STREAMS]);
    for (const m of streams) expect(m[2] !== 'never', m[1]).toBe(DROPPABLE.has(m[1] as never));
    const topics = [...clause('CLP-2.1').matchAll(/^\| `([a-z/{}]+)` \| (gateway → cloud|cloud → gateway) \|/gm)].map(
      (m) => `linli-cloud/v1/gw/{gatewayId}/${m[1]}`,
    );
    const g = '{gatewayId}';
    expect(topics.sort()).toEqual(
      [
        cloudTopics.up(g, '{stream}'),
        cloudTopics.ack(g),
        cloudTopics.state(g),
        cloudTopics.down(g, '{doc}'),
        cloudTopics.docAck(g),
        cloudTopics.rpcReq(g),
        cloudTopics.rpcRes(g),
      ].sort(),
    );
  });

  it('the settings and defaults it states are the configuration’s', () => {
    const defaults = CloudConfigSchema.parse({}) as Record<string, unknown>;
    const rows = [...clause('CLP-1.1').matchAll(/^\| `cloud\.([A-Za-z]+)` \| (\d+) \|/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const [, key, value] of rows) expect(defaults[key as string], `cloud.${key}`).toBe(Number(value));
  });

  it('one version everywhere: the title, CLP-8.1 and the changelog', () => {
    expect(doc.split('\n')[0]).toBe(`# Linli cloud protocol, version ${CLOUD_PROTOCOL_VERSION}`);
    expect(clause('CLP-8.1')).toContain(`now \`${CLOUD_PROTOCOL_VERSION}\``);
    expect(doc).toContain(`- **${CLOUD_PROTOCOL_VERSION}** — `);
  });
});

describe('CLOUD-PROTOCOL.md says what the code does', () => {
  const defined = new Set([...doc.matchAll(/\*\*\[(CLP-\d+\.\d+)\]/g)].map((m) => m[1]));

  it('defines every CLP clause the code and the document cite', () => {
    const cited = new Set<string>();
    const files = [
      ...tsFiles(join(root, 'gateway/cloud')),
      join(root, 'sim/src/cloud-twin.ts'),
      join(root, 'sim/src/embedded-cloud.ts'),
    ];
    for (const f of files)
      for (const m of readFileSync(f, 'utf8').matchAll(/CLP-(\d+\.\d+)/g)) cited.add(`CLP-${m[1]}`);
    for (const m of doc.matchAll(/\[(CLP-\d+\.\d+)\]/g)) cited.add(m[1] as string);
    for (const { clause: c } of Object.values(CLOUD_MESSAGES)) cited.add(c);
    expect(cited.size).toBeGreaterThan(30);
    expect([...cited].filter((c) => !defined.has(c))).toEqual([]);
  });

  /**
   * Every `.append(stream, type, ...)` of the gateway's source: the stream literal and the type as written
   * (a literal, a ternary of literals, or a template with `${...}` parts), with the file it is in.
   */
  const appends = () => {
    const out: { file: string; stream: string; types: string[]; pattern: RegExp | undefined }[] = [];
    // the gateway's code and the kinds' own (a kind's flows write their events too)
    const sources = [...tsFiles(join(root, 'gateway')), ...tsFiles(join(root, 'devices'))];
    for (const f of sources.filter((x) => !x.endsWith('.test.ts'))) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\.append\(\s*'([a-z]+)',\s*/g)) {
        // the second argument: up to the first comma outside brackets and template expressions
        let i = (m.index ?? 0) + m[0].length;
        let depth = 0;
        let arg = '';
        for (; i < src.length; i++) {
          const ch = src[i] as string;
          if (depth === 0 && ch === ',') break;
          if ('({['.includes(ch) || (ch === '$' && src[i + 1] === '{')) depth += ch === '$' ? 0 : 1;
          if (')}]'.includes(ch)) depth -= 1;
          arg += ch;
        }
        arg = arg.trim();
        const template = /^`(.*)`$/s.exec(arg);
        out.push({
          file: f.slice(root.length),
          stream: m[1] as string,
          types: template ? [] : [...arg.matchAll(/'([a-z_.]+)'/g)].map((x) => x[1] as string),
          pattern: template
            ? new RegExp(`^${(template[1] ?? '').replace(/\$\{[^}]*\}/g, '[a-z_]+').replaceAll('.', '\\.')}$`)
            : undefined,
        });
      }
    }
    return out;
  };

  it(
    'every event type the gateway writes is in the contract, on its stream; ' + 'every type in the contract is written',
    () => {
      const sites = appends();
      expect(sites.length).toBeGreaterThanOrEqual(12);
      const produced = new Set<string>();
      for (const s of sites) {
        // the streams' own selector conditions (e.g. `e.decision === 'checked_in' ? ...`) are not types
        const types = s.types.filter((t) => t.includes('.'));
        const matched = s.pattern ? CLOUD_EVENT_TYPES.filter((t) => s.pattern?.test(t)) : types;
        expect(matched.length, `${s.file}: an append whose type matches nothing in the contract`).toBeGreaterThan(0);
        for (const t of matched) {
          expect(CLOUD_EVENTS, `${s.file}: ${t} is not in the contract`).toHaveProperty([t]);
          expect(CLOUD_EVENTS[t as keyof typeof CLOUD_EVENTS].stream, `${s.file}: ${t}'s stream`).toBe(s.stream);
          produced.add(t);
        }
      }
      expect(
        CLOUD_EVENT_TYPES.filter((t) => !produced.has(t)),
        'types in the contract nobody writes',
      ).toEqual([]);
    },
  );

  it('a redemption event exists for every state a redemption can be in, and for an expiry', () => {
    const states = RedemptionResultSchema.shape.state.options;
    expect(CLOUD_EVENT_TYPES.filter((t) => t.startsWith('redemption.')).sort()).toEqual(
      [...states.map((s) => `redemption.${s}`), 'redemption.expired'].sort(),
    );
  });
});
