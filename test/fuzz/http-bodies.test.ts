import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../firmware-protocol/src/errors.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { startGateway, type Harness } from '../support/gateway-harness.ts';
import { capturingLogger, FUZZ_SEED, heapAfterGcMb } from './fuzz-support.ts';
import { evil, mutated, payloadOf, sample, type JsonSchema } from './json-fuzz.ts';

const RUNS = Number(process.env.LINLI_FUZZ_RUNS ?? 600);

interface Operation {
  method: string;
  path: string;
  body?: JsonSchema;
  params: { in: string; name: string; schema?: JsonSchema }[];
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      { requestBody?: { content?: Record<string, { schema?: JsonSchema }> }; parameters?: Operation['params'] }
    >
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** A path segment a client might send: a plausible id, or garbage (encoded, as a client must). */
const segment = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  evil.map((v) => encodeURIComponent(typeof v === 'string' ? v.slice(0, 2000) : JSON.stringify(v).slice(0, 2000))),
);

/**
 * Every staff API route that takes a body, path parameters or a query, listed from the server's own
 * OpenAPI document (so a new route is fuzzed without touching this file), called over real HTTP with mutated
 * bodies (wrong types, fields missing or extra, huge strings, deep nesting, unicode, bad numbers), invalid
 * JSON, oversize bodies and garbage parameters: never a 5xx; every refusal a 4xx with a code of the
 * catalogue and a message; nothing logged at error level; the database consistent; the heap flat.
 */
describe('fuzzing every HTTP API body', () => {
  let h: Harness;
  const cap = capturingLogger();
  let ops: Operation[] = [];
  let defs: Record<string, JsonSchema> = {};

  beforeAll(async () => {
    h = await startGateway({ mqtt: { plaintext: true, tls: { enabled: false } } } as never, { log: cap.log });
    const spec = (await h.api('/docs/json')).body as OpenApi;
    defs = spec.components?.schemas ?? {};
    for (const [path, methods] of Object.entries(spec.paths))
      for (const [method, op] of Object.entries(methods)) {
        const body = op.requestBody?.content?.['application/json']?.schema;
        const params = op.parameters ?? [];
        if (!body && params.length === 0) continue;
        // the staff session's own token is what the fuzz signs in with: revoking it ends the run, not a bug
        if (method === 'delete' && path.startsWith('/api/v1/tokens')) continue;
        ops.push({ method: method.toUpperCase(), path, params, ...(body ? { body } : {}) });
      }
    ops = ops.sort((a, b) => `${a.method} ${a.path}`.localeCompare(`${b.method} ${b.path}`));
  }, 30_000);

  afterAll(async () => {
    await h?.stop();
  });

  it(`refuses ${RUNS} mutated requests with coded 4xx answers; never a 5xx, no error logged, memory flat`, async () => {
    expect(ops.length).toBeGreaterThan(20);
    console.log(`HTTP fuzz seed ${FUZZ_SEED}, ${RUNS} runs over ${ops.length} operations`);
    const caseArb = fc.nat({ max: ops.length - 1 }).chain((i) => {
      const op = ops[i] as Operation;
      const path = op.params.filter((p) => p.in === 'path');
      const query = op.params.filter((p) => p.in === 'query');
      return fc.record({
        op: fc.constant(op),
        segments: fc.tuple(...path.map(() => segment)),
        query: fc.tuple(
          ...query.map((p) =>
            fc
              .option(fc.oneof(sample(p.schema ?? {}, defs), evil), { nil: undefined })
              .map((v) => [p.name, v] as const),
          ),
        ),
        body: op.body
          ? fc.oneof(
              { weight: 10, arbitrary: payloadOf(mutated(op.body, defs)) },
              // over fastify's bodyLimit (64 KiB): 413 in the catalogue's form
              { weight: 1, arbitrary: fc.constant({ payload: Buffer.from(`"${'x'.repeat(70 * 1024)}"`), json: true }) },
            )
          : fc.constant(undefined),
      });
    });
    let runs = 0;
    let heapStart = 0;
    const statuses: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        runs += 1;
        if (runs === 50) heapStart = heapAfterGcMb();
        let i = 0;
        const path = c.op.path.replace(/\{[^}]+\}/g, () => String(c.segments[i++]));
        const qs = c.query
          .filter(([, v]) => v !== undefined)
          .map(
            ([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`,
          )
          .join('&');
        const res = await fetch(`${h.endpoints.httpUrl}${path}${qs ? `?${qs.slice(0, 6000)}` : ''}`, {
          method: c.op.method,
          headers: {
            authorization: `Bearer ${h.adminToken}`,
            ...(c.body ? { 'content-type': 'application/json' } : {}),
          },
          ...(c.body ? { body: c.body.payload } : {}),
        });
        const text = await res.text();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const sent = c.body?.payload.toString().slice(0, 300) ?? '';
        const what = `${c.op.method} ${path}?${qs.slice(0, 200)} ${sent} → ${res.status} ${text.slice(0, 300)}`;
        expect(res.status, what).toBeLessThan(500);
        if (res.status >= 400) {
          const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
          expect(body.error?.code && body.error.code in ERROR_CATALOGUE, what).toBe(true);
          expect(body.error?.message?.length, what).toBeGreaterThan(0);
        }
      }),
      { seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
    );
    const heapEnd = heapAfterGcMb();
    console.log(
      `HTTP fuzz: ${runs} requests, statuses ${JSON.stringify(statuses)}, ` +
        `heap ${heapStart.toFixed(1)} -> ${heapEnd.toFixed(1)} MB`,
    );
    expect(cap.errors).toEqual([]);
    expect(heapEnd - heapStart).toBeLessThan(40);
    expect(verifyLedger(h.gw.store.db).ok).toBe(true);
    expect(h.gw.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((await h.api('/healthz')).status).toBe(200);
  }, 120_000);

  it("a path parameter over the router's length limit is refused in the catalogue's form, not fastify's", async () => {
    const r = await h.api(`/api/v1/devices/${'x'.repeat(300)}`);
    expect(r.status).toBe(414);
    expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(r.body.error.message).toContain('max param length');
  });
});
