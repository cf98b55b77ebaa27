import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import type { Publisher } from '../messaging/downlink.ts';
import type { RedemptionOutcome } from './gateway-metrics.ts';

/** The channel of a Linli topic: its last level (`linli/v1/dev/vm-01/up/telemetry` → telemetry) [FWP-3.2]. */
export function channelOf(topic: string): string {
  return topic.slice(topic.lastIndexOf('/') + 1);
}

/** A publisher that counts what it publishes, by channel: wraps the broker where the gateway hands it on. */
export function countingPublisher<P extends Publisher>(publisher: P, count: (channel: string) => void): Publisher {
  return {
    publish: (topic, payload, opts) => {
      count(channelOf(topic));
      return publisher.publish(topic, payload, opts);
    },
  };
}

/** How a device request ended, from the answer the gateway sent [FWP-11.2]. */
export function redemptionOutcome(body: Pick<ResponseBody, 'status'> & { decision?: unknown }): RedemptionOutcome {
  if (body.status === 'error') return 'error';
  return body.decision === 'approved' || body.decision === 'declined' ? body.decision : 'ok';
}
