import { z } from 'zod';
import { STREAMS } from './outbox-repo.ts';

/**
 * The gateway ↔ cloud contract over any MQTT broker. Every topic names the gateway, so a fleet of
 * thousands shares one broker cluster and cloud consumers read with a shared subscription:
 * `$share/linli-ingest/linli-cloud/v1/gw/+/up/+`.
 */
const ROOT = 'linli-cloud/v1/gw';
export const cloudTopics = {
  /** Gateway → cloud: a batch of one stream's events, QoS 1. */
  up: (gatewayId: string, stream: string) => `${ROOT}/${gatewayId}/up/${stream}`,
  /** Cloud → gateway: acknowledgements, QoS 1. */
  ack: (gatewayId: string) => `${ROOT}/${gatewayId}/ack`,
  /** The gateway's retained availability, with its session counter; the last will says offline. */
  state: (gatewayId: string) => `${ROOT}/${gatewayId}/state`,
  /** Cloud → gateway: versioned documents (catalog, hotlist, allowances), QoS 1. */
  down: (gatewayId: string, doc: string) => `${ROOT}/${gatewayId}/down/${doc}`,
  downAll: (gatewayId: string) => `${ROOT}/${gatewayId}/down/+`,
  /** Gateway → cloud: the version applied of a document, or a request for a full one (resync). */
  docAck: (gatewayId: string) => `${ROOT}/${gatewayId}/docack`,
  /** Online authorisation: request and response, QoS 1. */
  rpcReq: (gatewayId: string) => `${ROOT}/${gatewayId}/rpc/req`,
  rpcRes: (gatewayId: string) => `${ROOT}/${gatewayId}/rpc/res`,
  allUp: () => `${ROOT}/+/up/+`,
  allState: () => `${ROOT}/+/state`,
  parse(topic: string): { gatewayId: string; stream: string } | undefined {
    const p = topic.split('/');
    if (p.length !== 6 || `${p[0]}/${p[1]}/${p[2]}` !== ROOT || p[4] !== 'up' || !p[3] || !p[5]) return undefined;
    return { gatewayId: p[3], stream: p[5] };
  },
};

export const StreamSchema = z.enum(STREAMS);

export const CloudEventSchema = z.object({
  /** Stable across retries and restarts: "<gateway>:<stream>:<seq>". The cloud de-duplicates by it. */
  id: z.string().min(1).max(200),
  seq: z.number().int().positive(),
  kind: z.string().min(1).max(64),
  at: z.number().int().nonnegative(),
  /** Written while the gateway was not connected: replayed from the outbox, not live. */
  historical: z.boolean(),
  data: z.unknown(),
});

export const CloudBatchSchema = z.object({
  v: z.literal(1),
  gatewayId: z.string().min(1).max(64),
  stream: StreamSchema,
  /** The database's epoch: sequence numbers count within it (a new database starts a new one). */
  epoch: z.string().min(1).max(32),
  /** The seq the gateway last saw acknowledged: events after it and before the first here were dropped (telemetry only). */
  after: z.number().int().nonnegative(),
  /** How many events of the stream the gateway dropped so far (telemetry under disk pressure). */
  dropped: z.number().int().nonnegative(),
  events: z.array(CloudEventSchema).min(1).max(1000),
});

export const CloudAckSchema = z
  .object({
    stream: StreamSchema,
    upTo: z.number().int().nonnegative(),
    /** The batch's epoch (a new database starts a new one). */
    epoch: z.string().min(1).max(32).optional(),
    /** Cloud time: a hint for the gateway's clock health. */
    ts: z.number().int().nonnegative().optional(),
  })
  .strict();

export const CloudGatewayStateSchema = z.object({
  state: z.enum(['online', 'offline']),
  /** +1 on every connection (Sparkplug's bdSeq): a late will of an old session is told apart. */
  session: z.number().int().nonnegative(),
  bootId: z.string(),
  ts: z.number().int().nonnegative(),
});

export type CloudBatch = z.infer<typeof CloudBatchSchema>;
export type CloudAck = z.infer<typeof CloudAckSchema>;

/** Gateway → cloud: a purchase needs more allowance than this gateway holds for the member. */
export const TopUpRequestSchema = z
  .object({
    requestId: z.string().min(1).max(64),
    op: z.literal('topup'),
    memberId: z.string().min(1).max(64),
    amountFen: z.number().int().positive(),
  })
  .strict();
/** Cloud → gateway: granted (a grant credited once by its id), or refused. */
export const TopUpResponseSchema = z
  .object({
    requestId: z.string().min(1).max(64),
    granted: z.boolean(),
    grant: z
      .object({
        grantId: z.string().min(1).max(64),
        memberId: z.string().min(1).max(64),
        amountFen: z.number().int().positive(),
      })
      .strict()
      .optional(),
  })
  .strict();
