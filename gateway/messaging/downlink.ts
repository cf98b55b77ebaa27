import type { DownlinkChannel } from '../../firmware-protocol/src/topics.ts';
import { topics, CHANNEL_SPEC } from '../../firmware-protocol/src/topics.ts';
import type { EnvelopeStamper } from '../../firmware-protocol/src/stamp.ts';
import type { ErrorCode } from '../../firmware-protocol/src/errors.ts';
import { ERROR_CATALOGUE } from '../../firmware-protocol/src/errors.ts';
import type { ErrorMessage } from '../../firmware-protocol/src/messages/errors.ts';
import type { Logger } from '../core/log.ts';

/** The part of the broker the gateway publishes through. */
export interface Publisher {
  publish(topic: string, payload: Buffer | string, opts: { qos: 0 | 1; retain: boolean }): Promise<void>;
}

/** Sends gateway→device messages with stamped envelopes [FWP-4.1] on the device's downlink topics [FWP-3.3]. */
export class Downlink {
  constructor(
    private readonly publisher: Publisher,
    private readonly stamper: EnvelopeStamper,
    private readonly log: Logger,
  ) {}

  async send<T extends string, B>(
    deviceId: string,
    channel: DownlinkChannel,
    type: T,
    body: B,
    extra: { corr?: string | undefined; txn?: string | undefined; major?: number } = {},
  ): Promise<{ id: string }> {
    const msg = this.stamper.stamp(deviceId, type, body, extra);
    await this.publisher.publish(topics.down(deviceId, channel, extra.major), JSON.stringify(msg), {
      qos: CHANNEL_SPEC[channel].qos,
      retain: false,
    });
    return { id: msg.id };
  }

  /** [FWP-6.1] Tells a device why its message was refused. Never throws: a failing error report is only logged. */
  async error(
    deviceId: string,
    code: ErrorCode,
    detail: {
      message?: string;
      corr?: string | undefined;
      topic?: string;
      issues?: ErrorMessage['body']['issues'];
      supportedMajors?: number[];
      major?: number;
    },
  ): Promise<void> {
    const body: ErrorMessage['body'] = {
      code: code as ErrorMessage['body']['code'],
      message: (detail.message ?? ERROR_CATALOGUE[code].message).slice(0, 500),
    };
    if (detail.topic) body.topic = detail.topic.slice(0, 256);
    if (detail.issues) body.issues = detail.issues;
    if (detail.supportedMajors) body.supportedMajors = detail.supportedMajors;
    try {
      await this.send(deviceId, 'error', 'error', body, { corr: detail.corr, major: detail.major });
    } catch (err) {
      this.log.warn({ err, deviceId, code }, 'could not send an error message to the device');
    }
  }
}
