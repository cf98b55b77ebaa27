import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDoc } from '../../gateway/cloud/cloud-docs.ts';
import { DOC_BODIES, DOC_NAMES, documentOf, type DocName } from '../../gateway/cloud/contract/documents.ts';
import { cloudTopics } from '../../gateway/cloud/contract/topics.ts';
import { rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { Mosquitto } from '../support/mosquitto.ts';
import { capturingLogger, FUZZ_SEED, heapAfterGcMb, jsonSchemaOf } from './fuzz-support.ts';
import { evil, mutated, payloadOf } from './json-fuzz.ts';

const RUNS = Number(process.env.LINLI_FUZZ_RUNS ?? 250);
const GW = 'gw-fuzz';
/** Refusals the gateway logs at error level on purpose: a forged document is an attack, not noise. */
const REFUSALS_AT_ERROR = new Set(['cloud document with a missing or bad signature refused']);

/**
 * [CLP-5] Every document kind the cloud sends (the contract's own list), with mutated bodies, signed as the
 * cloud signs them so the body check is what is tested, plus forged, unsigned or unreadable ones, published
 * on a real broker (Mosquitto) to an in-process gateway: every invalid document is refused and counted,
 * never applied (its version stays); nothing crashes; the database stays consistent; the heap flat.
 */
describe('fuzzing every cloud document kind', () => {
  let mosq: Mosquitto;
  let h: Harness;
  let cloud: MqttClient;
  const keys = generateKeyPairSync('ed25519');
  const cap = capturingLogger();

  beforeAll(async () => {
    mosq = await new Mosquitto().start();
    h = await startGateway(
      {
        gateway: { id: GW },
        mqtt: { plaintext: true, tls: { enabled: false } },
        cloud: {
          enabled: true,
          url: mosq.url,
          signingKeys: [{ kid: 'k1', publicKey: rawPublicKey(keys.publicKey).toString('base64url') }],
          reconnectMinMs: 200,
          reconnectMaxMs: 1000,
        },
      } as never,
      { log: cap.log },
    );
    await waitFor(() => h.gw.cloud?.status().connected === true, 'the cloud link up', 15_000);
    cloud = await mqtt.connectAsync(mosq.url, { clientId: 'fuzz-cloud', protocolVersion: 5 });
  }, 40_000);

  afterAll(async () => {
    await cloud?.endAsync();
    await h?.stop();
    await mosq?.dispose();
  });

  it(`refuses ${RUNS} mutated, forged or unreadable documents and applies none of them`, async () => {
    const docs = h.gw.docs;
    if (!docs) throw new Error('the gateway has no document sync with the cloud enabled');
    const signing = { kid: 'k1', key: keys.privateKey };
    // what became of each document, in arrival order (the link calls docs.handle for every one)
    const handled: string[] = [];
    const handle = docs.handle.bind(docs);
    docs.handle = (payload) => {
      const r = handle(payload);
      void r.then(
        (o) => handled.push(o),
        (err: unknown) => handled.push(`threw ${String(err)}`),
      );
      return r;
    };
    const caseArb = fc.constantFrom(...DOC_NAMES).chain((doc) =>
      fc.record({
        doc: fc.constant(doc),
        body: payloadOf(mutated(jsonSchemaOf(DOC_BODIES[doc]))),
        envelope: fc.constantFrom('signed', 'signed', 'signed', 'unsigned', 'forged', 'mutated-envelope'),
        noise: evil,
      }),
    );
    let runs = 0;
    let heapStart = 0;
    let probes = 0;
    const outcomes: Record<string, number> = {};
    const publish = (doc: string, payload: Buffer | string) =>
      cloud.publishAsync(cloudTopics.down(GW, doc), payload, { qos: 1 });
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        runs += 1;
        if (runs === 40) heapStart = heapAfterGcMb();
        const have = docs.version(c.doc as DocName);
        const refusedBefore = docs.refused;
        const unsigned = {
          v: 1 as const,
          doc: c.doc as DocName,
          kind: 'full' as const,
          version: have + 1,
          issuedAt: Date.now(),
          body: c.body.json ? (JSON.parse(c.body.payload.toString()) as unknown) : null,
        };
        let payload: Buffer | string;
        let valid = false;
        if (!c.body.json) payload = c.body.payload;
        else if (c.envelope === 'unsigned') payload = JSON.stringify(unsigned);
        else if (c.envelope === 'forged') {
          const other = generateKeyPairSync('ed25519').privateKey;
          payload = JSON.stringify(signDoc(GW, unsigned, 'k1', other));
        } else if (c.envelope === 'mutated-envelope') {
          const signed = signDoc(GW, unsigned, 'k1', keys.privateKey) as Record<string, unknown>;
          const field = Object.keys(signed)[Math.abs(JSON.stringify(c.noise)?.length ?? 0) % 8] ?? 'v';
          payload = JSON.stringify({ ...signed, [field]: c.noise });
          valid = documentOf(c.doc as DocName).safeParse(JSON.parse(payload)).success && field === 'body';
        } else {
          const signed = signDoc(GW, unsigned, signing.kid, signing.key);
          payload = JSON.stringify(signed);
          valid = documentOf(c.doc as DocName).safeParse(signed).success;
        }
        const n = handled.length;
        await publish(c.doc, payload);
        // documents are handled one at a time in arrival order: a garbage probe after it marks its end
        await publish('catalog', `probe ${++probes}`);
        await waitFor(() => handled.length >= n + 2, `the document and probe ${probes} handled`, 10_000);
        const outcome = handled[n] ?? '';
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        expect(handled[n + 1]).toBe('refused');
        const what = `${c.doc} ${c.envelope}: ${String(payload).slice(0, 300)}`;
        expect(outcome, what).not.toMatch(/^threw/);
        // an invalid document is refused and counted, never applied
        if (!valid) {
          expect(outcome, what).toBe('refused');
          expect(docs.version(c.doc as DocName), what).toBe(have);
        }
        expect(docs.refused - refusedBefore).toBe((outcome === 'refused' ? 1 : 0) + 1);
      }),
      { seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
    );
    const heapEnd = heapAfterGcMb();
    console.log(
      `cloud fuzz seed ${FUZZ_SEED}: ${runs} documents ${JSON.stringify(outcomes)}, refused in all ${docs.refused}, ` +
        `heap ${heapStart.toFixed(1)} -> ${heapEnd.toFixed(1)} MB`,
    );
    expect(cap.errors.filter((l) => !REFUSALS_AT_ERROR.has(l.msg))).toEqual([]);
    expect(heapEnd - heapStart).toBeLessThan(40);
    expect(verifyLedger(h.gw.store.db).ok).toBe(true);
    expect(h.gw.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(h.gw.cloud?.status().connected).toBe(true);
  }, 120_000);

  it('[CLP-5.3] a signed catalog naming a campaign it lacks is refused and counted, nothing kept', async () => {
    const docs = h.gw.docs;
    if (!docs) throw new Error('no document sync');
    const have = docs.version('catalog');
    const refused = docs.refused;
    const outcome = await docs.handle(
      Buffer.from(
        JSON.stringify(
          signDoc(
            GW,
            {
              v: 1,
              doc: 'catalog',
              kind: 'full',
              version: have + 1,
              issuedAt: Date.now(),
              body: { members: [{ id: 'm-orphan', benefits: [{ id: 'b-orphan', campaignId: 'no-such-campaign' }] }] },
            },
            'k1',
            keys.privateKey,
          ),
        ),
      ),
    );
    expect(outcome).toBe('refused');
    expect(docs.refused).toBe(refused + 1);
    expect(docs.version('catalog')).toBe(have);
    expect(h.gw.store.db.prepare("SELECT COUNT(*) AS n FROM members WHERE id = 'm-orphan'").get()).toEqual({ n: 0 });
  });
});
