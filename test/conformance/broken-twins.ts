import type { MqttClient } from 'mqtt';
import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import type { RequestBody } from '../../firmware-protocol/src/messages/redemption.ts';
import type { EnvelopeStamper } from '../../firmware-protocol/src/stamp.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import type { PendingReplies } from '../../gateway/core/pending-replies.ts';
import { kindModule } from '../../devices/registry.ts';
import { SimDevice, type SimDeviceOptions } from '../../sim/src/sim-device.ts';

/**
 * SimDevice's private parts the broken twins reach into: it has no hooks to misbehave (see the
 * report). Runtime properties only; nothing here changes SimDevice itself.
 */
interface Internals {
  client: MqttClient | undefined;
  stamper: EnvelopeStamper;
  pending: PendingReplies<ResponseBody>;
  stopped: boolean;
  bdSeqValue: number;
  will(): NonNullable<MqttClient['options']['will']>;
  publish(channel: string, type: string, body: unknown, extra?: { corr?: string }): Promise<void>;
}
const internals = (d: SimDevice) => d as unknown as Internals;

/** Births with capabilities its kind's schema refuses (readers no door reader has) [FWP-7.4]. */
export function invalidCapabilities(o: SimDeviceOptions): SimDevice {
  const model = kindModule(o.kind)?.sim.model(0);
  if (!model) throw new Error(`no twin for ${o.kind}`);
  const capabilities = { ...(model.capabilities as object), readers: ['laser'] };
  return new SimDevice({
    ...o,
    model: Object.assign(Object.create(model) as object, { capabilities }) as typeof model,
  });
}

/** Carries out `name` but never acknowledges it [FWP-9.3]. */
export function neverAcks(name: string) {
  return (o: SimDeviceOptions): SimDevice => {
    const d = new SimDevice(o);
    const self = internals(d);
    const publish = self.publish.bind(d);
    self.publish = (channel, type, body, extra) => {
      const cmd = d.commandsReceived.find((c) => c.id === extra?.corr);
      return channel === 'ack' && cmd?.body.name === name ? Promise.resolve() : publish(channel, type, body, extra);
    };
    return d;
  };
}

/** Retries an unanswered request under a new txn, as if it were another purchase [FWP-4.3]. */
export class NewTxnOnResend extends SimDevice {
  override async request(body: RequestBody, txn: string, timeoutMs = 5000): Promise<ResponseBody> {
    const self = internals(this);
    for (let attempt = 0; attempt < 3; attempt++) {
      const client = self.client;
      if (!client?.connected) throw new Error('not connected');
      const msg = self.stamper.stamp(this.id, 'request', body, { txn: attempt === 0 ? txn : this.newTxn() });
      const answer = self.pending.wait(msg.id, timeoutMs);
      await client.publishAsync(topics.up(this.id, 'request'), JSON.stringify(msg), { qos: 1 });
      const r = await answer;
      if (r) return r;
      await new Promise((res) => setTimeout(res, 300));
    }
    throw new Error(`no response to ${body.op}`);
  }
}

/** Reconnects after a lost connection with the same bdSeq in will and birth [FWP-8.1]. */
export function keepsBdSeq(o: SimDeviceOptions): SimDevice {
  const d = new SimDevice(o);
  const self = internals(d);
  d.on('disconnected', () => {
    if (self.stopped) return; // a reboot: not what this twin breaks
    const kept = self.bdSeqValue;
    // SimDevice counts up right after this event; undo it before the reconnect (a back-off away)
    setImmediate(() => {
      self.bdSeqValue = kept;
      if (self.client) self.client.options.will = self.will();
    });
  });
  return d;
}
