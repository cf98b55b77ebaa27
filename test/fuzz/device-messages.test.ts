import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_MODULES } from '../../devices/registry.ts';
import { decodeUplink, readMessageId } from '../../firmware-protocol/src/decode.ts';
import { ERROR_CATALOGUE } from '../../firmware-protocol/src/errors.ts';
import { ErrorMessageSchema } from '../../firmware-protocol/src/messages/errors.ts';
import { UPLINK_SCHEMAS } from '../../firmware-protocol/src/messages/index.ts';
import { ResponseMessageSchema } from '../../firmware-protocol/src/messages/response.ts';
import { topics, UPLINK_CHANNELS } from '../../firmware-protocol/src/topics.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RawDevice } from '../support/raw-device.ts';
import { capturingLogger, FUZZ_SEED, heapAfterGcMb, jsonSchemaOf, validSample } from './fuzz-support.ts';
import { mutated, payloadOf } from './json-fuzz.ts';

const RUNS = Number(process.env.LINLI_FUZZ_RUNS ?? 150);
/** Beside the protocol's channels, one it does not have: UNKNOWN_CHANNEL [FWP-3.2]. */
const CHANNELS = [...UPLINK_CHANNELS, 'bogus'] as const;
/** Every message kind a device sends, from the protocol's own table: a new channel or op is fuzzed too. */
const SCHEMAS = Object.fromEntries(
  CHANNELS.map((c) => [c, jsonSchemaOf(UPLINK_SCHEMAS[c === 'bogus' ? 'request' : c])]),
) as Record<(typeof CHANNELS)[number], ReturnType<typeof jsonSchemaOf>>;

const caseArb = fc
  .record({
    kind: fc.constantFrom(...KIND_MODULES.map((m) => m.wire.kind)),
    channel: fc.constantFrom(...CHANNELS),
  })
  .chain(({ kind, channel }) =>
    // the version a gateway speaks, or nearly every message would stop at UNSUPPORTED_PROTOCOL_VERSION
    payloadOf(mutated(SCHEMAS[channel], {}, (v) => (v && typeof v === 'object' ? { ...v, v: '1.3' } : v)))
      // a packet over mqtt.maxPacketBytes closes the connection: that case has its own test below
      .filter((p) => p.payload.length < 60_000)
      .map((p) => ({ kind, channel, ...p })),
  );

/**
 * [FWP-6] Valid-looking device messages of every channel and kind, mutated (wrong types, fields missing or
 * extra, huge strings, deep nesting, unicode, bad numbers) or not JSON at all, sent over a real broker to an
 * in-process gateway: each refused message gets the error its decoding names, with its id as `corr`; every
 * answer is a coded one of the catalogue and matches the published schemas; nothing is logged at error
 * level; the database stays consistent and the heap flat.
 */
describe('fuzzing every device message kind', () => {
  let h: Harness;
  /** [FWP-5.2] A device hears at most 20 error replies a minute: the runs go round several devices of each kind. */
  const PER_KIND = 6;
  const fleet = new Map<string, RawDevice[]>();
  const cap = capturingLogger();
  const devices = new Map<string, RawDevice>();
  const births = new Map<string, unknown>();

  const rebirth = async (d: RawDevice) => {
    await d.birth(births.get(d.kind), 3600);
  };

  beforeAll(async () => {
    h = await startGateway(
      {
        mqtt: { plaintext: true, tls: { enabled: false } },
        limits: { requestsPerSecond: 1000, requestBurst: 10_000, messagesPerSecond: 10_000, messageBurst: 100_000 },
      } as never,
      { log: cap.log },
    );
    for (const m of KIND_MODULES) {
      births.set(m.wire.kind, validSample(m.wire.capabilities, `${m.wire.kind} capabilities`));
      const list: RawDevice[] = [];
      for (let i = 0; i < PER_KIND; i++) {
        const id = `fz-${m.wire.kind.replaceAll('_', '-')}-${i}`;
        const { secret } = await h.gw.devices.provision({ id, kind: m.wire.kind });
        const d = await new RawDevice(id, m.wire.kind, secret).connect(h.mqttUrl);
        await rebirth(d);
        list.push(d);
      }
      fleet.set(m.wire.kind, list);
      devices.set(m.wire.kind, list[0] as RawDevice);
    }
    const all = [...fleet.values()].flat();
    await waitFor(() => all.every((d) => h.gw.monitor.get(d.id)?.born === true), 'births', 15_000);
  }, 30_000);

  afterAll(async () => {
    for (const d of [...fleet.values()].flat()) d.client.end(true);
    for (const d of devices.values()) d.client.end(true);
    await h?.stop();
  });

  let probes = 0;
  /** Waits until the gateway has handled everything the device sent before: a refused probe's error came back. */
  const settle = async (d: RawDevice) => {
    const id = `probe-${++probes}`;
    await d.publishRaw(
      topics.up(d.id, 'heartbeat'),
      JSON.stringify({ v: '1.3', id, ts: 0, seq: 1, type: 'not-a-heartbeat', body: {} }),
    );
    await waitFor(() => d.errors().some((e) => e.corr === id), `the probe ${id} answered`, 10_000);
  };

  it(`answers ${RUNS} mutated uplinks with coded errors; no crash, no error logged, memory flat`, async () => {
    console.log(`device fuzz seed ${FUZZ_SEED} (rerun with LINLI_FUZZ_SEED=${FUZZ_SEED}), ${RUNS} runs`);
    let runs = 0;
    let refused = 0;
    let heapStart = 0;
    const property = fc.asyncProperty(caseArb, async (c) => {
      runs += 1;
      if (runs === 50) heapStart = heapAfterGcMb();
      const list = fleet.get(c.kind) ?? [];
      const d = list[runs % list.length] as RawDevice;
      const before = d.received.length;
      const expected =
        c.channel === 'bogus'
          ? ({ ok: false, code: 'UNKNOWN_CHANNEL', corr: readMessageId(c.payload) } as const)
          : decodeUplink(c.channel, c.payload);
      await d.publishRaw(`linli/v1/dev/${d.id}/up/${c.channel}`, c.payload);
      // a refusal is its own sign the message was handled; anything else waits for a probe behind it
      if (expected.ok) await settle(d);
      else
        await waitFor(
          () => d.received.slice(before).some((r) => r.topic.endsWith('/down/error') && r.json.corr === expected.corr),
          `the refusal of ${c.payload.toString().slice(0, 200)} on ${c.channel}`,
          10_000,
        );
      const got = d.received.slice(before);
      for (const r of got) {
        if (r.topic.endsWith('/down/error')) {
          const e = ErrorMessageSchema.parse(r.json);
          expect(e.body.code in ERROR_CATALOGUE, `${e.body.code} is in the catalogue`).toBe(true);
          expect(e.body.message.length).toBeGreaterThan(0);
          expect(e.body.code).not.toBe('INTERNAL_ERROR');
        } else if (r.topic.endsWith('/down/response')) {
          const resp = ResponseMessageSchema.parse(r.json);
          if (resp.body.status === 'error') expect(resp.body.code).not.toBe('INTERNAL_ERROR');
        }
      }
      if (!expected.ok) {
        refused += 1;
        const errs = got.filter((r) => r.topic.endsWith('/down/error')).map((r) => r.json);
        const mine = errs.find((e) => (expected.corr ? e.corr === expected.corr : e.corr === undefined));
        const sent = c.payload.toString().slice(0, 300);
        const what = `the error for ${sent} on ${c.channel} (got ${JSON.stringify(errs)})`;
        expect(mine?.body.code, what).toBe(expected.code);
      }
      // a fuzzed birth or death may have ended the session: born again for the next run
      if (c.channel === 'birth' || c.channel === 'death') await rebirth(d);
    });
    await fc.assert(property, { seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true });
    const heapEnd = heapAfterGcMb();
    console.log(
      `device fuzz: ${runs} messages, ${refused} refused by decoding, heap ${heapStart.toFixed(1)} -> ` +
        `${heapEnd.toFixed(1)} MB, ${cap.lines()} log lines`,
    );
    expect(cap.errors).toEqual([]);
    expect(heapEnd - heapStart).toBeLessThan(40);
    expect(verifyLedger(h.gw.store.db).ok).toBe(true);
    expect(h.gw.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // the gateway still serves: a valid birth is taken and a heartbeat answered by nothing but a live device
    const d = devices.get('vending_machine') as RawDevice;
    await rebirth(d);
    await settle(d);
    expect(h.gw.monitor.get(d.id)?.born).toBe(true);
  }, 180_000);

  it('an oversize packet gets PAYLOAD_TOO_LARGE and its connection closed; the device comes back', async () => {
    const d = devices.get('shop_scanner') as RawDevice;
    d.client.publish(topics.up(d.id, 'telemetry'), Buffer.alloc(70 * 1024, 0x7b), { qos: 1 });
    await waitFor(() => d.errors().some((e) => e.body.code === 'PAYLOAD_TOO_LARGE'), 'PAYLOAD_TOO_LARGE', 10_000);
    await waitFor(() => !d.client.connected, 'the connection closed', 10_000);
    d.client.end(true);
    const again = await new RawDevice(d.id, d.kind, d.secret, 2).connect(h.mqttUrl);
    devices.set(d.kind, again);
    await rebirth(again);
    await settle(again);
    expect(cap.errors).toEqual([]);
  });

  it('[FWP-6.1] an unknown channel is refused with the message id as corr', async () => {
    const d = devices.get('door_reader') as RawDevice;
    await d.publishRaw(`linli/v1/dev/${d.id}/up/nonsense`, JSON.stringify({ v: '1.3', id: 'm-77', ts: 0, seq: 3 }));
    await waitFor(() => d.errors().some((e) => e.corr === 'm-77'), 'the refusal');
    expect(d.errors().find((e) => e.corr === 'm-77')?.body.code).toBe('UNKNOWN_CHANNEL');
  });
});
