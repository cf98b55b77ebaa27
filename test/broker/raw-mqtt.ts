import { connect, type Socket } from 'node:net';
import { withTimeout } from './harness.ts';

/**
 * Hand-encoded MQTT 3.1.1 packets, for what mqtt.js will not send (an empty client id with
 * cleanSession=0, a CONNECT followed by silence, oversized packets before CONNECT).
 */

/** Remaining-length varint [MQTT-2.2.3]. */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

const str = (s: string) => {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};

/** CONNECT [MQTT-3.1]: protocol "MQTT" level 4 unless `protocol` says otherwise (MQTT 3.1 is "MQIsdp" level 3). */
export function connectPacket(o: {
  clientId: string;
  username?: string;
  password?: string;
  clean?: boolean;
  keepalive?: number;
  protocol?: { name: string; level: number };
}): Buffer {
  let flags = 0;
  if (o.clean !== false) flags |= 0x02;
  if (o.password !== undefined) flags |= 0x40;
  if (o.username !== undefined) flags |= 0x80;
  const keepalive = o.keepalive ?? 30;
  const protocol = o.protocol ?? { name: 'MQTT', level: 4 };
  // MQTT 5 adds a property length after the keepalive [MQTT-5 3.1.2.11]; none here
  const properties = protocol.level === 5 ? [Buffer.from([0])] : [];
  const variable = Buffer.concat([
    str(protocol.name),
    Buffer.from([protocol.level, flags, keepalive >> 8, keepalive & 0xff]),
    ...properties,
  ]);
  const payload = Buffer.concat([
    str(o.clientId),
    ...(o.username !== undefined ? [str(o.username)] : []),
    ...(o.password !== undefined ? [str(o.password)] : []),
  ]);
  const body = Buffer.concat([variable, payload]);
  return Buffer.concat([Buffer.from([0x10]), varint(body.length), body]);
}

/** SUBSCRIBE [MQTT-3.8] with QoS 1 for every filter. */
export function subscribePacket(packetId: number, filters: string[]): Buffer {
  const body = Buffer.concat([
    Buffer.from([packetId >> 8, packetId & 0xff]),
    ...filters.map((f) => Buffer.concat([str(f), Buffer.from([1])])),
  ]);
  return Buffer.concat([Buffer.from([0x82]), varint(body.length), body]);
}

/** PUBLISH [MQTT-3.3] at QoS 0. */
export function publishPacket(topic: string, payload: Buffer | string): Buffer {
  const body = Buffer.concat([str(topic), Buffer.isBuffer(payload) ? payload : Buffer.from(payload)]);
  return Buffer.concat([Buffer.from([0x30]), varint(body.length), body]);
}

/** A raw TCP connection that collects what the broker sends and notices when it closes. */
export class RawConnection {
  private received = Buffer.alloc(0);
  readonly closed: Promise<void>;
  isClosed = false;
  /** Bytes up to the end of the last packet returned by packet(). */
  private consumed = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  /** `localAddress` picks the source address: Linux routes all of 127.0.0.0/8 to lo, so 127.0.0.2 is "another host". */
  static open(port: number, localAddress = '127.0.0.1'): Promise<RawConnection> {
    return withTimeout(
      new Promise((resolve, reject) => {
        const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(new RawConnection(s)));
        s.once('error', reject);
      }),
      'raw TCP connection',
    );
  }

  write(b: Buffer): void {
    this.socket.write(b);
  }

  /** Resolves with the first `n` bytes the broker sent. */
  async bytes(n: number): Promise<Buffer> {
    while (this.received.length < n) {
      await withTimeout(new Promise<void>((r) => this.waiters.push(r)), `${n} bytes from the broker`);
    }
    return this.received.subarray(0, n);
  }

  /** The CONNACK return code [MQTT-3.2.2.3]. */
  async connack(): Promise<number> {
    const b = await this.bytes(4);
    if (b[0] !== 0x20 || b[1] !== 0x02) throw new Error(`not a CONNACK: ${b.toString('hex')}`);
    return b[3] ?? -1;
  }

  /** Bytes received so far. */
  get receivedBytes(): number {
    return this.received.length;
  }

  /**
   * The body of the next packet of this type (the first byte's high nibble) the broker sends, skipping
   * others; each packet is returned once.
   */
  async packet(type: number): Promise<Buffer> {
    for (;;) {
      const found = findPacket(this.received, type, this.consumed);
      if (found) {
        this.consumed = found.end;
        return found.body;
      }
      await withTimeout(new Promise<void>((r) => this.waiters.push(r)), `a packet of type ${type} from the broker`);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The first complete packet of `type` in `buf` from `from` on: its body and where it ends. */
function findPacket(buf: Buffer, type: number, from: number): { body: Buffer; end: number } | undefined {
  let at = from;
  while (at < buf.length) {
    let length = 0;
    let multiplier = 1;
    let i = at + 1;
    for (;;) {
      if (i >= buf.length) return undefined;
      const b = buf[i] ?? 0;
      i += 1;
      length += (b & 0x7f) * multiplier;
      multiplier *= 128;
      if (!(b & 0x80)) break;
    }
    if (i + length > buf.length) return undefined;
    if ((buf[at] ?? 0) >> 4 === type) return { body: buf.subarray(i, i + length), end: i + length };
    at = i + length;
  }
  return undefined;
}
