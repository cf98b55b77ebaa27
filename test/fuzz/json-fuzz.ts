import fc from 'fast-check';

/** The part of JSON Schema (draft 2020-12, OpenAPI 3) the protocol's, the cloud's and the API's schemas use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
  $ref?: string;
  [k: string]: unknown;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const tooDeep = (depth: number): Json => {
  let v: Json = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { d: v };
  return v;
};

/**
 * A valid-looking value for a schema: every property (optional ones too, so mutations reach them), the
 * first choice of a union, strings that match their pattern when one is given. Not always valid (formats,
 * refinements): the mutations that follow make it invalid anyway.
 */
export function sample(s: JsonSchema, defs: Record<string, JsonSchema> = {}, depth = 0): fc.Arbitrary<Json> {
  if (depth > 8) return fc.constant(null);
  if (s.$ref) {
    const name = s.$ref.split('/').at(-1) ?? '';
    return sample(defs[name] ?? {}, defs, depth + 1);
  }
  if (s.const !== undefined) return fc.constant(s.const as Json);
  if (s.enum) return fc.constantFrom(...(s.enum as Json[]));
  const choices = s.oneOf ?? s.anyOf;
  if (choices?.length) return fc.oneof(...choices.map((c) => sample(c, defs, depth + 1)));
  if (s.allOf?.length) return sample(Object.assign({}, ...s.allOf), defs, depth + 1);
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? 'null') : s.type;
  switch (type) {
    case 'object': {
      const props = Object.entries(s.properties ?? {});
      return fc.record(
        Object.fromEntries(props.map(([k, v]) => [k, sample(v, defs, depth + 1)])),
      ) as fc.Arbitrary<Json>;
    }
    case 'array': {
      const item = s.prefixItems?.[0] ?? s.items ?? {};
      return fc.array(sample(item, defs, depth + 1), {
        minLength: s.minItems ?? 1,
        maxLength: Math.max(1, s.minItems ?? 1),
      });
    }
    case 'integer':
      return fc.integer({ min: Math.ceil(s.minimum ?? 0), max: Math.floor(Math.min(s.maximum ?? 1000, 2 ** 31)) });
    case 'number':
      return fc.double({ min: s.minimum ?? 0, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'string': {
      if (s.pattern) {
        try {
          return fc
            .stringMatching(new RegExp(s.pattern))
            .filter((x) => x.length >= (s.minLength ?? 0) && x.length <= (s.maxLength ?? 10_000));
        } catch {
          /* a pattern JavaScript cannot compile: any string */
        }
      }
      const min = s.minLength ?? 1;
      return fc.string({ minLength: min, maxLength: Math.max(min, Math.min(s.maxLength ?? 12, 12)) });
    }
    case 'null':
      return fc.constant(null);
    default:
      return fc.constant(null);
  }
}

/** A value of the wrong kind, or of the right kind gone bad: what a broken or hostile client sends. */
export const evil: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, -(2 ** 53), 2 ** 53 + 2, 1e308, -1e308, 0.5, '', [], {}),
  fc.integer().map((n) => -Math.abs(n) - 1),
  fc.double({ noNaN: false }).map((n) => (Number.isFinite(n) ? n : 1e308)),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', '\uFEFF', '\u202E', '🏠💥', 'ℌ𝔢𝔩𝔩𝔬', '<script>', "'; DROP TABLE ledger; --", '../../etc'),
  fc.integer({ min: 1000, max: 60_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 50, max: 2000 }).map(tooDeep),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 5 }),
);

/** Every path of a JSON value down to its leaves (objects' keys and arrays' indexes). */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (v && typeof v === 'object') {
    for (const [k, child] of Object.entries(v)) {
      const p = [...prefix, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      paths(child as Json, p, out);
    }
  }
  return out;
}

type Mutation =
  | { kind: 'replace'; at: number; value: Json }
  | { kind: 'delete'; at: number }
  | { kind: 'extra'; at: number; key: string; value: Json };

const mutationArb: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: evil }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('extra' as const),
      at: fc.nat(),
      // an own property named __proto__ would set the prototype instead of adding a field
      key: fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__'),
      value: evil,
    }),
  ),
  { minLength: 0, maxLength: 3 },
);

function apply(base: Json, muts: Mutation[]): Json {
  const root = structuredClone(base) as Json;
  for (const m of muts) {
    const all = paths(root);
    if (all.length === 0) return m.kind === 'replace' ? m.value : root;
    const path = all[m.at % all.length] ?? [];
    const parentPath = path.slice(0, -1);
    const key = path.at(-1) as string | number;
    let parent = root as Record<string | number, Json>;
    for (const k of parentPath) parent = parent[k] as Record<string | number, Json>;
    if (!parent || typeof parent !== 'object') continue;
    if (m.kind === 'replace') parent[key] = m.value;
    else if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else {
      const target = parent[key];
      if (target && typeof target === 'object' && !Array.isArray(target))
        (target as Record<string, Json>)[m.key] = m.value;
      else (parent as Record<string, Json>)[m.key] = m.value;
    }
  }
  return root;
}

/**
 * A valid-looking value of the schema with up to three mutations (a wrong type, a field gone, one too many);
 * one in five is left as generated, so the paths behind validation are reached too.
 */
export function mutated(
  s: JsonSchema,
  defs: Record<string, JsonSchema> = {},
  /** What the generator cannot know, set on every sample before it is mutated (e.g. a supported version). */
  fix: (v: Json) => Json = (v) => v,
): fc.Arbitrary<Json> {
  const base = sample(s, defs).map(fix);
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(base, mutationArb).map(([b, muts]) => apply(b, muts)) },
    { weight: 1, arbitrary: base },
  );
}

/** A payload as bytes: the mutated JSON, or garbage that is not JSON at all. */
export function payloadOf(value: fc.Arbitrary<Json>): fc.Arbitrary<{ payload: Buffer; json: boolean }> {
  return fc.oneof(
    { weight: 8, arbitrary: value.map((v) => ({ payload: Buffer.from(JSON.stringify(v) ?? 'null'), json: true })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.from(b)),
          fc
            .constantFrom('{', '{"v":', '[1,2', 'nul', '{"a":1}}', '\uFEFF{}', "{'single':1}")
            .map((t) => Buffer.from(t)),
          value.map((v) => Buffer.from((JSON.stringify(v) ?? '').slice(0, -1))),
        )
        .map((payload) => ({ payload, json: false })),
    },
  );
}
