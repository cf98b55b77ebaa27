import type { MqttClient } from 'mqtt';
import { EnvelopeStamper } from '../../firmware-protocol/src/stamp.ts';
import { topics, type UplinkChannel } from '../../firmware-protocol/src/topics.ts';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { connectRaw } from './gateway-harness.ts';

export interface Received {
  topic: string;
  json: any;
}

/** A hand-driven device for protocol tests: every message is explicit, nothing automatic. */
export class RawDevice {
  client!: MqttClient;
  readonly received: Received[] = [];
  readonly stamper: EnvelopeStamper;
  constructor(
    readonly id: string,
    readonly kind: DeviceKind,
    readonly secret: string,
    readonly bdSeq = 1,
  ) {
    this.stamper = new EnvelopeStamper(`${id}-${bdSeq}`, () => Date.now());
  }

  async connect(url: string): Promise<this> {
    const will = {
      v: '1.0',
      id: `will-${this.bdSeq}`,
      ts: Date.now(),
      seq: 0,
      type: 'death',
      body: { bdSeq: this.bdSeq, reason: 'lost' },
    };
    this.client = await connectRaw(url, {
      clientId: this.id,
      username: this.id,
      password: this.secret,
      will: { topic: topics.up(this.id, 'death'), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: false },
    });
    this.client.on('message', (topic, payload) => {
      let json: unknown = null;
      try {
        json = JSON.parse(payload.toString());
      } catch {
        json = payload.toString();
      }
      this.received.push({ topic, json });
    });
    await this.client.subscribeAsync([topics.deviceDownlinks(this.id), topics.gatewayState()], { qos: 1 });
    return this;
  }

  send(channel: UplinkChannel, type: string, body: unknown, extra: { corr?: string } = {}): Promise<unknown> {
    const msg = this.stamper.stamp(this.id, type, body, extra);
    return this.client.publishAsync(topics.up(this.id, channel), JSON.stringify(msg), { qos: 1 });
  }

  publishRaw(topic: string, payload: string | Buffer): Promise<unknown> {
    return this.client.publishAsync(topic, payload, { qos: 1 });
  }

  birth(capabilities: unknown, heartbeatS = 30): Promise<unknown> {
    return this.send('birth', 'birth', {
      kind: this.kind,
      bdSeq: this.bdSeq,
      firmware: '2.1.0',
      heartbeatS,
      capabilities,
    });
  }

  errors(): any[] {
    return this.received.filter((r) => r.topic.endsWith('/down/error')).map((r) => r.json);
  }

  commands(): any[] {
    return this.received.filter((r) => r.topic.endsWith('/down/command')).map((r) => r.json);
  }

  /** Drops the TCP connection without DISCONNECT, so the broker publishes the will. */
  crash(): void {
    this.client.stream.destroy();
    this.client.end(true);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
