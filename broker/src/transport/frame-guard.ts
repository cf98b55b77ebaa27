/** Why the guard stopped a connection's inbound stream. */
export type FrameVerdict =
  | {
      kind: 'oversized';
      /** MQTT control packet type, 1..15 [MQTT-2.2.1]; 3 is PUBLISH. */
      packetType: number;
      /** Whole packet size: fixed header plus remaining length. */
      packetBytes: number;
      /** For a PUBLISH, its topic when the first bytes of the variable header showed it. */
      topic: string | undefined;
    }
  | { kind: 'malformed'; why: string };

export interface FeedResult {
  /** Bytes that may go on to the MQTT parser, in order (slices of the input, no copies of bodies). */
  pass: Buffer[];
  /** Set once, on the call that stops the stream; every later call passes nothing. */
  verdict: FrameVerdict | undefined;
}

const PUBLISH = 3;
const DISCONNECT = 14;
/** Longest topic the guard reads out of an oversized PUBLISH for the error report (ErrorMessage.body.topic). */
const MAX_CAPTURED_TOPIC = 256;

/**
 * Reads MQTT fixed headers [MQTT-2.2] in a byte stream, across chunk boundaries, and stops the stream
 * at the first packet larger than `maxPacketBytes`, before any of its body is passed on or buffered:
 * aedes and mqtt-packet have no size limit of their own, and would buffer a 256 MB "packet" whole.
 * A packet's fixed header (at most 5 bytes) is held back until its size is known to be acceptable.
 */
export class FrameGuard {
  private state: 'type' | 'length' | 'body' | 'capture' | 'stopped' = 'type';
  private header: number[] = [];
  private length = 0;
  private multiplier = 1;
  private remaining = 0;
  private captured: number[] = [];
  private oversized: { packetType: number; packetBytes: number } | undefined;
  private disconnectSeen = false;

  constructor(private readonly maxPacketBytes: number) {}

  /** True once the client sent DISCONNECT [MQTT-3.14]: its connection then ended cleanly. */
  get sawDisconnect(): boolean {
    return this.disconnectSeen;
  }

  get stopped(): boolean {
    return this.state === 'stopped';
  }

  feed(chunk: Buffer): FeedResult {
    const pass: Buffer[] = [];
    if (this.state === 'stopped') return { pass, verdict: undefined };
    // bytes of the chunk from `start` on are passed through, unless a header is being held back
    let start = this.state === 'body' ? 0 : -1;
    let i = 0;
    const flushTo = (end: number) => {
      if (start >= 0 && end > start) pass.push(chunk.subarray(start, end));
      start = -1;
    };
    while (i < chunk.length) {
      if (this.state === 'body') {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i] ?? 0;
      i += 1;
      if (this.state === 'type') {
        flushTo(i - 1);
        this.header = [byte];
        this.length = 0;
        this.multiplier = 1;
        this.state = 'length';
        continue;
      }
      if (this.state === 'capture') {
        const verdict = this.capture(byte);
        if (verdict) return this.stop(pass, verdict);
        continue;
      }
      // 'length': remaining length, 7 bits per byte, least significant first, at most 4 bytes [MQTT-2.2.3]
      this.header.push(byte);
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if (byte & 0x80) {
        if (this.header.length === 5)
          return this.stop(pass, { kind: 'malformed', why: 'remaining length longer than 4 bytes' });
        continue;
      }
      const packetType = (this.header[0] ?? 0) >> 4;
      const packetBytes = this.header.length + this.length;
      if (packetBytes > this.maxPacketBytes) {
        if (packetType !== PUBLISH)
          return this.stop(pass, { kind: 'oversized', packetType, packetBytes, topic: undefined });
        // read the topic length and name that open a PUBLISH's variable header [MQTT-3.3.2.1], then stop
        this.oversized = { packetType, packetBytes };
        this.captured = [];
        this.state = 'capture';
        continue;
      }
      if (packetType === DISCONNECT) this.disconnectSeen = true;
      pass.push(Buffer.from(this.header));
      start = i;
      this.remaining = this.length;
      this.state = this.remaining === 0 ? 'type' : 'body';
    }
    flushTo(chunk.length);
    return { pass, verdict: undefined };
  }

  /** Collects the topic of an oversized PUBLISH byte by byte; returns the verdict once it is known. */
  private capture(byte: number): FrameVerdict | undefined {
    const o = this.oversized ?? { packetType: PUBLISH, packetBytes: 0 };
    this.captured.push(byte);
    if (this.captured.length < 2) return undefined;
    const topicLength = ((this.captured[0] ?? 0) << 8) | (this.captured[1] ?? 0);
    if (topicLength === 0 || topicLength > MAX_CAPTURED_TOPIC || topicLength + 2 > this.length) {
      return { kind: 'oversized', ...o, topic: undefined };
    }
    if (this.captured.length < topicLength + 2) return undefined;
    const topic = Buffer.from(this.captured.slice(2)).toString('utf8');
    return { kind: 'oversized', ...o, topic };
  }

  private stop(pass: Buffer[], verdict: FrameVerdict): FeedResult {
    this.state = 'stopped';
    this.header = [];
    this.captured = [];
    return { pass, verdict };
  }
}
