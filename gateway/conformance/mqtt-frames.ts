/**
 * Just enough MQTT 3.1.1 framing for the conformance kit's wire tap: split a byte stream into packets
 * and read the packets the kit judges (CONNECT, CONNACK, PUBLISH, SUBSCRIBE, SUBACK). The bytes are
 * forwarded unchanged; nothing here ever writes a packet except the PUBACK that stands in for a device
 * when the kit withholds a message from it.
 */

export const PACKET = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  SUBSCRIBE: 8,
  SUBACK: 9,
  DISCONNECT: 14,
} as const;

/** One packet as it came off the wire: its type, the fixed header's flags, the rest, and all its bytes. */
export interface Frame {
  type: number;
  flags: number;
  body: Buffer;
  raw: Buffer;
}

/** What a CONNECT said [MQTT-3.1]; fields past the protocol level only for level 4 (3.1.1) and 3. */
export interface ConnectInfo {
  protocolName: string;
  level: number;
  clean: boolean;
  keepaliveS: number;
  clientId: string;
  username: string | undefined;
  hasPassword: boolean;
  will: { topic: string; payload: Buffer; qos: number; retain: boolean } | undefined;
}

export interface PublishInfo {
  topic: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  packetId: number | undefined;
  payload: Buffer;
}

/** Bigger than any packet the gateway accepts (64 KiB by default): past it the stream is not MQTT. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** Splits a byte stream into MQTT packets; `push` returns the complete ones, keeping a partial one. */
export class FrameSplitter {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const header = remainingLength(this.buf);
      if (!header) break;
      const total = 1 + header.bytes + header.length;
      if (total > MAX_FRAME_BYTES) throw new Error(`an MQTT packet of ${total} bytes`);
      if (this.buf.length < total) break;
      const raw = this.buf.subarray(0, total);
      const b0 = raw[0] ?? 0;
      frames.push({ type: b0 >> 4, flags: b0 & 0x0f, body: raw.subarray(1 + header.bytes), raw });
      this.buf = this.buf.subarray(total);
    }
    return frames;
  }
}

/** [MQTT-2.2.3] The remaining length (1–4 bytes after the first), or undefined until all of it arrived. */
function remainingLength(buf: Buffer): { length: number; bytes: number } | undefined {
  let length = 0;
  for (let i = 1; i <= 4; i++) {
    const b = buf[i];
    if (b === undefined) return undefined;
    length += (b & 0x7f) * 128 ** (i - 1);
    if ((b & 0x80) === 0) return { length, bytes: i };
  }
  throw new Error('malformed remaining length');
}

/** Reads length-prefixed fields from a packet body; throws past its end. */
class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  byte(): number {
    const b = this.buf[this.at];
    if (b === undefined) throw new Error('packet too short');
    this.at += 1;
    return b;
  }
  u16(): number {
    return this.byte() * 256 + this.byte();
  }
  bytes(): Buffer {
    const n = this.u16();
    if (this.at + n > this.buf.length) throw new Error('packet too short');
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  text(): string {
    return this.bytes().toString('utf8');
  }
  /** MQTT 5 properties: a variable byte integer length, then the properties (skipped). */
  skipProperties(): void {
    let length = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.byte();
      length += (b & 0x7f) * 128 ** i;
      if ((b & 0x80) === 0) break;
    }
    this.at += length;
  }
  rest(): Buffer {
    return this.buf.subarray(this.at);
  }
  get done(): boolean {
    return this.at >= this.buf.length;
  }
}

/** [MQTT-3.1.2] The CONNECT's variable header and payload. */
export function parseConnect(body: Buffer): ConnectInfo {
  const r = new Reader(body);
  const protocolName = r.text();
  const level = r.byte();
  const flags = r.byte();
  const keepaliveS = r.u16();
  if (level === 5) r.skipProperties();
  const clientId = r.text();
  let will: ConnectInfo['will'];
  if (flags & 0x04) {
    if (level === 5) r.skipProperties();
    const topic = r.text();
    will = { topic, payload: r.bytes(), qos: (flags >> 3) & 0x03, retain: (flags & 0x20) !== 0 };
  }
  const username = flags & 0x80 ? r.text() : undefined;
  const hasPassword = (flags & 0x40) !== 0 && r.bytes().length > 0;
  return { protocolName, level, clean: (flags & 0x02) !== 0, keepaliveS, clientId, username, hasPassword, will };
}

/** [MQTT-3.2.2.3] The CONNACK's return code. */
export function connackCode(body: Buffer): number {
  return body[1] ?? -1;
}

/** [MQTT-3.3] A PUBLISH: flags from the fixed header, topic, packet id (QoS > 0) and payload. */
export function parsePublish(frame: Frame): PublishInfo {
  const r = new Reader(frame.body);
  const qos = (frame.flags >> 1) & 0x03;
  const topic = r.text();
  const packetId = qos > 0 ? r.u16() : undefined;
  return {
    topic,
    qos,
    retain: (frame.flags & 0x01) !== 0,
    dup: (frame.flags & 0x08) !== 0,
    packetId,
    payload: r.rest(),
  };
}

/** [MQTT-3.8] A SUBSCRIBE's filters with the QoS asked for. */
export function parseSubscribe(body: Buffer): { topic: string; qos: number }[] {
  const r = new Reader(body);
  r.u16();
  const filters: { topic: string; qos: number }[] = [];
  while (!r.done) filters.push({ topic: r.text(), qos: r.byte() & 0x03 });
  return filters;
}

/** [MQTT-3.9] A SUBACK's return codes, one per filter (0x80 = refused). */
export function parseSuback(body: Buffer): number[] {
  return [...body.subarray(2)];
}

/** [MQTT-3.4] The packet id a PUBACK acknowledges. */
export function packetIdOf(body: Buffer): number {
  return (body[0] ?? 0) * 256 + (body[1] ?? 0);
}

/** [MQTT-3.4] The PUBACK the kit sends the broker for a QoS 1 message it keeps from the device. */
export function puback(packetId: number): Buffer {
  return Buffer.from([PACKET.PUBACK << 4, 0x02, packetId >> 8, packetId & 0xff]);
}
