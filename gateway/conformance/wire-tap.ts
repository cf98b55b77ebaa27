import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import type { Journal } from './journal.ts';
import { jsonOf } from './journal.ts';
import {
  connackCode,
  FrameSplitter,
  type Frame,
  PACKET,
  parseConnect,
  parsePublish,
  parseSuback,
  parseSubscribe,
  packetIdOf,
  puback,
} from './mqtt-frames.ts';

export interface WireTapOptions {
  /** Where devices connect: the address the operator enters in the device. */
  host: string;
  port: number;
  /** The kit's own gateway broker, on loopback. */
  upstreamPort: number;
  journal: Journal;
  /** A message of the gateway the device must not get (the kit's test of a resend); the kit acks it upstream. */
  withhold?: (topic: string, json: unknown) => boolean;
}

interface Link {
  conn: number;
  device: Socket;
  upstream: Socket;
  closedBy: 'device' | 'gateway' | 'kit' | undefined;
  /** The device's QoS 1 messages the broker has not acknowledged yet. */
  inflight: Set<number>;
}

/**
 * A transparent TCP relay between the device and the kit's gateway broker that records every MQTT
 * packet both ways in the journal: what the device really sent (its CONNECT with the will, QoS and
 * retain flags, packets before its birth), which the gateway's broker alone would hide. The kit can
 * drop the connection like a network failure would, and keep one message from the device.
 */
export class WireTap {
  private server: Server | undefined;
  private readonly links = new Set<Link>();
  private count = 0;

  constructor(private readonly opts: WireTapOptions) {}

  /** Listens; resolves with the port (the one asked for, or the free one picked for port 0). */
  start(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : this.opts.port);
      });
    });
  }

  /** Cuts the device's current connection without a word to either side: the broker publishes the will. */
  drop(): boolean {
    const link = [...this.links].at(-1);
    if (!link) return false;
    this.close(link, 'kit');
    return true;
  }

  /** Whether the device's current connection has no QoS 1 message in flight (a quiet moment to cut it). */
  quiet(): boolean {
    const link = [...this.links].at(-1);
    return !link || link.inflight.size === 0;
  }

  async stop(): Promise<void> {
    for (const link of this.links) this.close(link, 'kit');
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(device: Socket): void {
    this.count += 1;
    const upstream = netConnect({ host: '127.0.0.1', port: this.opts.upstreamPort });
    const link: Link = { conn: this.count, device, upstream, closedBy: undefined, inflight: new Set() };
    this.links.add(link);
    device.setNoDelay(true);
    upstream.setNoDelay(true);
    const fromDevice = new FrameSplitter();
    const fromGateway = new FrameSplitter();
    device.on('data', (chunk: Buffer) => {
      try {
        for (const f of fromDevice.push(chunk)) {
          this.seeUp(link, f);
          upstream.write(f.raw);
        }
      } catch {
        this.close(link, 'device'); // not MQTT: nothing to relay
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      try {
        for (const f of fromGateway.push(chunk)) if (this.seeDown(link, f)) device.write(f.raw);
      } catch {
        this.close(link, 'gateway');
      }
    });
    // a side that hangs up has its last bytes (a DISCONNECT, a CONNACK refusal) delivered before the other closes
    device.on('close', () => this.close(link, 'device', true));
    upstream.on('close', () => this.close(link, 'gateway', true));
    device.on('error', () => undefined);
    upstream.on('error', () => undefined);
  }

  private close(link: Link, by: 'device' | 'gateway' | 'kit', flush = false): void {
    if (link.closedBy) return;
    link.closedBy = by;
    this.links.delete(link);
    if (flush) {
      link.device.end();
      link.upstream.end();
      // a peer that never finishes its side is not waited for
      setTimeout(() => {
        link.device.destroy();
        link.upstream.destroy();
      }, 2000).unref();
    } else {
      link.device.destroy();
      link.upstream.destroy();
    }
    this.opts.journal.add({ kind: 'closed', conn: link.conn, at: this.opts.journal.now(), by });
  }

  private seeUp(link: Link, f: Frame): void {
    const { journal } = this.opts;
    const base = { conn: link.conn, at: journal.now() };
    switch (f.type) {
      case PACKET.CONNECT:
        try {
          journal.add({ kind: 'connect', ...base, connect: parseConnect(f.body) });
        } catch (err) {
          journal.add({ kind: 'connect', ...base, connect: undefined, error: (err as Error).message });
        }
        return;
      case PACKET.PUBLISH: {
        const p = parsePublish(f);
        if (p.packetId !== undefined) link.inflight.add(p.packetId);
        journal.add({
          kind: 'up',
          ...base,
          topic: p.topic,
          qos: p.qos,
          retain: p.retain,
          dup: p.dup,
          json: jsonOf(p.payload),
        });
        return;
      }
      case PACKET.SUBSCRIBE:
        journal.add({ kind: 'subscribe', ...base, filters: parseSubscribe(f.body) });
        return;
      case PACKET.DISCONNECT:
        journal.add({ kind: 'disconnect', ...base });
        return;
      default:
        return;
    }
  }

  /** Records a gateway → device packet; false when the kit keeps it from the device. */
  private seeDown(link: Link, f: Frame): boolean {
    const { journal, withhold } = this.opts;
    const base = { conn: link.conn, at: journal.now() };
    if (f.type === PACKET.CONNACK) journal.add({ kind: 'connack', ...base, code: connackCode(f.body) });
    if (f.type === PACKET.SUBACK) journal.add({ kind: 'suback', ...base, codes: parseSuback(f.body) });
    if (f.type === PACKET.PUBACK) link.inflight.delete(packetIdOf(f.body));
    if (f.type !== PACKET.PUBLISH) return true;
    const p = parsePublish(f);
    const json = jsonOf(p.payload);
    const keep = withhold?.(p.topic, json) === true;
    journal.add({ kind: 'down', ...base, topic: p.topic, json, withheld: keep });
    // the broker waits for the device's PUBACK of a QoS 1 message: the kit gives it in the device's place
    if (keep && p.packetId !== undefined) link.upstream.write(puback(p.packetId));
    return !keep;
  }
}
