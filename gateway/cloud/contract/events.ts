import * as z from 'zod';
import { CloudBatchObject, CloudEventSchema, checkNumbering } from './envelopes.ts';
import { AccessCheckinSchema, AccessDecisionSchema } from './events-access.ts';
import {
  DeviceHealthSchema,
  GatewayAlertSchema,
  StaffAlertSchema,
  RolloutDeliveredSchema,
  RolloutFailedSchema,
  TelemetrySummarySchema,
} from './events-health.ts';
import {
  AllowanceCreditedSchema,
  AllowanceReleasedSchema,
  PointsAwardedSchema,
  RedemptionCapturedSchema,
  RedemptionDeclinedSchema,
  RedemptionExpiredSchema,
  RedemptionHeldSchema,
  RedemptionReversedSchema,
  RedemptionVoidedSchema,
} from './events-money.ts';
import { LedgerAnchorSchema } from './events-ledger.ts';
import { MemberErasedSchema } from './events-privacy.ts';
import { DailyClosedSchema, PrepaidRefundedSchema, TopUpRefusedSchema } from './events-prepaid.ts';
import { GatewayRecoveredSchema, GatewayRestoredSchema } from './events-restore.ts';
import { ParcelDepositFailedSchema, ParcelPickedUpSchema, ParcelStoredSchema } from './events-parcels.ts';
import { STREAMS, type Stream } from './streams.ts';

interface EventSpec {
  stream: Stream;
  /** The event's `data`. */
  schema: z.ZodType;
  /** The clause of CLOUD-PROTOCOL.md that defines it. */
  clause: string;
}

/** [CLP-4.1] Every event type the gateway sends, its stream and the schema of its `data`. */
export const CLOUD_EVENTS = {
  'redemption.held': { stream: 'money', schema: RedemptionHeldSchema, clause: 'CLP-4.2' },
  'redemption.captured': { stream: 'money', schema: RedemptionCapturedSchema, clause: 'CLP-4.2' },
  'redemption.declined': { stream: 'money', schema: RedemptionDeclinedSchema, clause: 'CLP-4.2' },
  'redemption.voided': { stream: 'money', schema: RedemptionVoidedSchema, clause: 'CLP-4.2' },
  'redemption.expired': { stream: 'money', schema: RedemptionExpiredSchema, clause: 'CLP-4.2' },
  'redemption.reversed': { stream: 'money', schema: RedemptionReversedSchema, clause: 'CLP-4.2' },
  'points.awarded': { stream: 'money', schema: PointsAwardedSchema, clause: 'CLP-4.3' },
  'allowance.credited': { stream: 'money', schema: AllowanceCreditedSchema, clause: 'CLP-4.4' },
  'allowance.released': { stream: 'money', schema: AllowanceReleasedSchema, clause: 'CLP-4.4' },
  'parcel.stored': { stream: 'parcels', schema: ParcelStoredSchema, clause: 'CLP-4.5' },
  'parcel.picked_up': { stream: 'parcels', schema: ParcelPickedUpSchema, clause: 'CLP-4.5' },
  'parcel.deposit_failed': { stream: 'parcels', schema: ParcelDepositFailedSchema, clause: 'CLP-4.5' },
  'access.decision': { stream: 'access', schema: AccessDecisionSchema, clause: 'CLP-4.6' },
  'access.checkin': { stream: 'access', schema: AccessCheckinSchema, clause: 'CLP-4.6' },
  'device.health': { stream: 'health', schema: DeviceHealthSchema, clause: 'CLP-4.7' },
  'rollout.delivered': { stream: 'health', schema: RolloutDeliveredSchema, clause: 'CLP-4.8' },
  'rollout.failed': { stream: 'health', schema: RolloutFailedSchema, clause: 'CLP-4.8' },
  'gateway.alert': { stream: 'health', schema: GatewayAlertSchema, clause: 'CLP-4.9' },
  'telemetry.summary': { stream: 'telemetry', schema: TelemetrySummarySchema, clause: 'CLP-4.10' },
  'alert.changed': { stream: 'health', schema: StaffAlertSchema, clause: 'CLP-4.11' },
  'ledger.anchor': { stream: 'money', schema: LedgerAnchorSchema, clause: 'CLP-4.12' },
  'member.erased': { stream: 'money', schema: MemberErasedSchema, clause: 'CLP-4.13' },
  'prepaid.topup_refused': { stream: 'money', schema: TopUpRefusedSchema, clause: 'CLP-4.14' },
  'prepaid.refunded': { stream: 'money', schema: PrepaidRefundedSchema, clause: 'CLP-4.15' },
  'prepaid.daily_closed': { stream: 'money', schema: DailyClosedSchema, clause: 'CLP-4.16' },
  'gateway.restored': { stream: 'money', schema: GatewayRestoredSchema, clause: 'CLP-3.12' },
  'gateway.recovered': { stream: 'money', schema: GatewayRecoveredSchema, clause: 'CLP-5.12' },
} as const satisfies Record<string, EventSpec>;

export type CloudEventType = keyof typeof CLOUD_EVENTS;
export const CLOUD_EVENT_TYPES = Object.keys(CLOUD_EVENTS) as CloudEventType[];
/** The `data` of an event type, as the gateway writes it. */
export type CloudEventData<T extends CloudEventType> = z.input<(typeof CLOUD_EVENTS)[T]['schema']>;

const isEventType = (t: string): t is CloudEventType => Object.hasOwn(CLOUD_EVENTS, t);

/** What is wrong with an event the gateway is about to write, or undefined when it keeps the contract. */
export function eventProblem(stream: string, type: string, data: unknown): string | undefined {
  if (!isEventType(type)) return `unknown event type "${type}"`;
  const spec: EventSpec = CLOUD_EVENTS[type];
  if (spec.stream !== stream) return `${type} belongs on stream ${spec.stream}, not ${stream}`;
  const r = spec.schema.safeParse(data);
  if (r.success) return undefined;
  return r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`)
    .join('; ');
}

/** An event of one type as it travels in a batch [CLP-3.3]: `kind` is the type, `data` its body. */
export function eventOf<T extends CloudEventType>(type: T) {
  return CloudEventSchema.extend({ kind: z.literal(type), data: CLOUD_EVENTS[type].schema }).strict();
}

/** [CLP-3.2] A batch of one stream with every event checked against its type. */
export function batchOf(stream: Stream) {
  const types = CLOUD_EVENT_TYPES.filter((t) => CLOUD_EVENTS[t].stream === stream);
  const events = types.map((t) => eventOf(t));
  const [first, ...rest] = events;
  if (!first) throw new Error(`no event types on stream ${stream}`);
  const event = rest.length === 0 ? first : z.discriminatedUnion('kind', [first, ...rest]);
  return CloudBatchObject.extend({ stream: z.literal(stream), events: z.array(event).min(1).max(1000) })
    .strict()
    .superRefine(checkNumbering);
}

/** Per stream, a batch whose events are all of the stream's documented types. */
export const STREAM_BATCHES = Object.fromEntries(STREAMS.map((s) => [s, batchOf(s)])) as Record<
  Stream,
  ReturnType<typeof batchOf>
>;
