import { describe, expect, it } from 'vitest';
import { FrameGuard, type FeedResult } from '../../broker/src/transport/frame-guard.ts';

/** Remaining-length varint [MQTT-2.2.3]. */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** A QoS 0 PUBLISH: fixed header, topic, payload. */
function publish(topic: string, payloadBytes: number): Buffer {
  const t = Buffer.from(topic);
  const body = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, Buffer.alloc(payloadBytes, 0x61)]);
  return Buffer.concat([Buffer.from([0x30, ...varint(body.length)]), body]);
}
const PINGREQ = Buffer.from([0xc0, 0x00]);
const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** Feeds `data` in the given chunk sizes (cycled); returns the concatenated output and the verdicts. */
function run(
  guard: FrameGuard,
  data: Buffer,
  sizes: number[],
): { out: Buffer; verdicts: NonNullable<FeedResult['verdict']>[] } {
  const out: Buffer[] = [];
  const verdicts: NonNullable<FeedResult['verdict']>[] = [];
  let i = 0;
  let k = 0;
  while (i < data.length) {
    const n = sizes[k++ % sizes.length] ?? 1;
    const r = guard.feed(data.subarray(i, i + n));
    out.push(...r.pass);
    if (r.verdict) verdicts.push(r.verdict);
    i += n;
  }
  return { out: Buffer.concat(out), verdicts };
}

describe('FrameGuard', () => {
  const ok = Buffer.concat([publish('linli/v1/dev/a/up/telemetry', 100), PINGREQ, publish('t', 0), publish('x', 1000)]);

  it.each([[[1]], [[2]], [[3, 7]], [[1000]], [[ok.length]], [[5, 1, 1, 200]]])(
    'passes acceptable packets through unchanged, chunks %j',
    (sizes) => {
      const { out, verdicts } = run(new FrameGuard(2048), ok, sizes);
      expect(verdicts).toEqual([]);
      expect(out.equals(ok)).toBe(true);
    },
  );

  it('a packet exactly at the limit passes, one byte more does not', () => {
    const exact = publish('t', 100);
    expect(run(new FrameGuard(exact.length), exact, [3]).verdicts).toEqual([]);
    const { verdicts } = run(new FrameGuard(exact.length - 1), exact, [3]);
    expect(verdicts).toEqual([{ kind: 'oversized', packetType: 3, packetBytes: exact.length, topic: 't' }]);
  });

  it.each([[[1]], [[2]], [[4, 9]], [[64]], [[100_000]]])(
    'stops at the oversized packet, chunks %j: earlier packets pass whole, nothing of it does',
    (sizes) => {
      const before = Buffer.concat([PINGREQ, publish('linli/v1/dev/a/up/event', 50)]);
      const big = publish('linli/v1/dev/locker-01/up/telemetry', 70_000);
      const after = PINGREQ;
      const guard = new FrameGuard(64 * 1024);
      const { out, verdicts } = run(guard, Buffer.concat([before, big, after]), sizes);
      expect(out.equals(before)).toBe(true);
      expect(verdicts).toEqual([
        { kind: 'oversized', packetType: 3, packetBytes: big.length, topic: 'linli/v1/dev/locker-01/up/telemetry' },
      ]);
      expect(guard.stopped).toBe(true);
      expect(guard.feed(PINGREQ)).toEqual({ pass: [], verdict: undefined });
    },
  );

  it('an oversized non-PUBLISH packet is stopped at its header, without a topic', () => {
    const subscribeHeader = Buffer.from([0x82, ...varint(10_000)]);
    const { out, verdicts } = run(
      new FrameGuard(1024),
      Buffer.concat([PINGREQ, subscribeHeader, Buffer.alloc(50)]),
      [1],
    );
    expect(out.equals(PINGREQ)).toBe(true);
    expect(verdicts).toEqual([{ kind: 'oversized', packetType: 8, packetBytes: 10_000 + 1 + 2, topic: undefined }]);
  });

  it('does not report a topic it cannot read (too long, or longer than the packet)', () => {
    const longTopic = publish('x'.repeat(300), 2000);
    expect(run(new FrameGuard(1024), longTopic, [7]).verdicts[0]).toMatchObject({
      kind: 'oversized',
      topic: undefined,
    });
    const lying = Buffer.from([0x30, ...varint(2000), 0xff, 0xff, 0x61]);
    expect(run(new FrameGuard(1024), lying, [1]).verdicts[0]).toMatchObject({ kind: 'oversized', topic: undefined });
  });

  it('a remaining length of more than 4 bytes is malformed [MQTT-2.2.3]', () => {
    const bad = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const { out, verdicts } = run(new FrameGuard(16 * 1024 * 1024), Buffer.concat([PINGREQ, bad]), [2]);
    expect(out.equals(PINGREQ)).toBe(true);
    expect(verdicts).toEqual([{ kind: 'malformed', why: expect.any(String) }]);
  });

  it('the largest legal remaining length is read correctly across chunks', () => {
    const header = Buffer.from([0x82, ...varint(268_435_455)]);
    expect(header.length).toBe(5);
    const { verdicts } = run(new FrameGuard(1024), header, [1]);
    expect(verdicts).toEqual([{ kind: 'oversized', packetType: 8, packetBytes: 268_435_460, topic: undefined }]);
  });

  it('notices DISCONNECT, so a clean close can be told from a lost connection', () => {
    const guard = new FrameGuard(1024);
    run(guard, Buffer.concat([PINGREQ, publish('t', 10)]), [3]);
    expect(guard.sawDisconnect).toBe(false);
    run(guard, DISCONNECT, [1]);
    expect(guard.sawDisconnect).toBe(true);
  });

  it('holds back only a header: memory does not grow with the body of an oversized packet', () => {
    const guard = new FrameGuard(1024);
    const header = Buffer.from([0x30, ...varint(100 * 1024 * 1024), 0x00, 0x01, 0x74]);
    const r = guard.feed(header);
    expect(r.verdict).toMatchObject({ kind: 'oversized', topic: 't' });
    for (let i = 0; i < 100; i++) expect(guard.feed(Buffer.alloc(64 * 1024)).pass).toEqual([]);
  });
});
