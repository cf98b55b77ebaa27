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

/** CONNECT [MQTT-3.1]: protocol "MQTT" level 4. */
export function connectPacket(o: { clientId: string; username?: string; password?: string; clean?: boolean; keepalive?: number }): Buffer {
  let flags = 0;
  if (o.clean !== false) flags |= 0x02;
  if (o.password !== undefined) flags |= 0x40;
  if (o.username !== undefined) flags |= 0x80;
  const keepalive = o.keepalive ?? 30;
  const variable = Buffer.concat([str('MQTT'), Buffer.from([4, flags, keepalive >> 8, keepalive & 0xff])]);
  const payload = Buffer.concat([
    str(o.clientId),
    ...(o.username !== undefined ? [str(o.username)] : []),
    ...(o.password !== undefined ? [str(o.password)] : []),
  ]);
  const body = Buffer.concat([variable, payload]);
  return Buffer.concat([Buffer.from([0x10]), varint(body.length), body]);
}

/** A raw TCP connection that collects what the broker sends and notices when it closes. */
export class RawConnection {
  private received = Buffer.alloc(0);
  readonly closed: Promise<void>;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(port: number): Promise<RawConnection> {
    return withTimeout(
      new Promise((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => resolve(new RawConnection(s)));
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

  destroy(): void {
    this.socket.destroy();
  }
}
