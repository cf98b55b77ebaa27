import mqtt, { type MqttClient } from 'mqtt';
import { CloudBatchSchema, cloudTopics, type CloudBatch } from '../../gateway/cloud/cloud-messages.ts';
import type { Logger } from '../../gateway/core/log.ts';
import { silentLogger } from '../../gateway/core/log.ts';

export interface TwinStream {
  /** The last seq applied, in order. */
  upTo: number;
  events: CloudBatch['events'];
  duplicates: number;
  gaps: number;
  historical: number;
  dropped: number;
}

/**
 * A simulated cloud platform: consumes every gateway's uplink from the cloud broker, applies each
 * stream's events exactly once and in order (duplicates are counted and skipped, a gap is never
 * applied over), and acknowledges what it applied. Tests read its accounting.
 */
export class CloudTwin {
  private client: MqttClient | undefined;
  readonly streams = new Map<string, TwinStream>();
  readonly states: unknown[] = [];
  batches = 0;
  malformed = 0;

  constructor(private readonly opts: { url: string; log?: Logger; clientId?: string; protocolVersion?: 4 | 5 }) {}

  async start(): Promise<void> {
    const log = this.opts.log ?? silentLogger();
    const v5 = (this.opts.protocolVersion ?? 5) === 5;
    this.client = await mqtt.connectAsync(this.opts.url, { clientId: this.opts.clientId ?? 'linli-cloud-twin', clean: false, protocolVersion: v5 ? 5 : 4, ...(v5 ? { properties: { sessionExpiryInterval: 3600 } } : {}), reconnectPeriod: 500 });
    this.client.on('message', (topic, payload) => {
      if (topic.endsWith('/state')) {
        try {
          this.states.push(JSON.parse(payload.toString()));
        } catch {
          this.malformed += 1;
        }
        return;
      }
      const t = cloudTopics.parse(topic);
      if (!t) return;
      let batch: CloudBatch;
      try {
        batch = CloudBatchSchema.parse(JSON.parse(payload.toString()));
      } catch (err) {
        this.malformed += 1;
        log.warn({ err }, 'cloud twin: malformed batch');
        return;
      }
      this.apply(batch);
    });
    await this.client.subscribeAsync([cloudTopics.allUp(), cloudTopics.allState()], { qos: 1 });
  }

  stream(gatewayId: string, stream: string): TwinStream {
    const key = `${gatewayId}/${stream}`;
    let s = this.streams.get(key);
    if (!s) {
      s = { upTo: 0, events: [], duplicates: 0, gaps: 0, historical: 0, dropped: 0 };
      this.streams.set(key, s);
    }
    return s;
  }

  private apply(batch: CloudBatch): void {
    this.batches += 1;
    const s = this.stream(batch.gatewayId, batch.stream);
    // a droppable stream (telemetry) may skip what the gateway dropped: accept the jump, count it
    if (batch.stream === 'telemetry' && batch.after > s.upTo) {
      s.dropped += batch.after - s.upTo;
      s.upTo = batch.after;
    }
    for (const e of batch.events) {
      if (e.seq <= s.upTo) {
        s.duplicates += 1;
        continue;
      }
      if (e.seq !== s.upTo + 1) {
        s.gaps += 1;
        break; // never apply over a gap: the gateway sends it again from what we acknowledge
      }
      s.events.push(e);
      s.upTo = e.seq;
      if (e.historical) s.historical += 1;
    }
    void this.client?.publishAsync(cloudTopics.ack(batch.gatewayId), JSON.stringify({ stream: batch.stream, upTo: s.upTo }), { qos: 1 }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true).catch(() => undefined);
  }
}
