import type * as z from 'zod';
import type { UplinkChannel } from '../topics.ts';
import { AckMessageSchema } from './commands.ts';
import { EventMessageSchema } from './events.ts';
import { RequestMessageSchema } from './redemption.ts';
import { BirthMessageSchema, DeathMessageSchema, HeartbeatMessageSchema, TelemetryMessageSchema } from './lifecycle.ts';

export * from './lifecycle.ts';
export * from './commands.ts';
export * from './errors.ts';
export * from './state.ts';
export * from './redemption.ts';
export * from './events.ts';

/**
 * [FWP-3.2] Which message types each uplink channel carries. A channel without a schema is reserved
 * for later protocol minors; the gateway answers UNKNOWN_MESSAGE_TYPE on it.
 */
export const UPLINK_SCHEMAS = {
  birth: BirthMessageSchema,
  death: DeathMessageSchema,
  heartbeat: HeartbeatMessageSchema,
  telemetry: TelemetryMessageSchema,
  ack: AckMessageSchema,
  event: EventMessageSchema,
  request: RequestMessageSchema,
} as const satisfies Record<UplinkChannel, z.ZodType | undefined>;

export type UplinkMessage =
  | z.infer<typeof BirthMessageSchema>
  | z.infer<typeof DeathMessageSchema>
  | z.infer<typeof HeartbeatMessageSchema>
  | z.infer<typeof TelemetryMessageSchema>
  | z.infer<typeof AckMessageSchema>
  | z.infer<typeof RequestMessageSchema>
  | z.infer<typeof EventMessageSchema>;
