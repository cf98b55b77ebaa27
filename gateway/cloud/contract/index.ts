import type * as z from 'zod';
import { DOC_NAMES, DocAckSchema, documentOf } from './documents.ts';
import { CloudAckSchema, CloudGatewayStateSchema, TopUpRequestSchema, TopUpResponseSchema } from './envelopes.ts';
import { CLOUD_EVENT_TYPES, CLOUD_EVENTS, eventOf, STREAM_BATCHES } from './events.ts';
import { STREAMS } from './streams.ts';

export * from './common.ts';
export * from './documents.ts';
export * from './envelopes.ts';
export * from './events.ts';
export * from './streams.ts';
export { cloudTopics } from './topics.ts';

export interface ContractMessage {
  schema: z.ZodType;
  title: string;
  /** The clause of CLOUD-PROTOCOL.md that defines it. */
  clause: string;
}

/**
 * Every message of the cloud protocol by name: the name of its JSON Schema file and of its examples in
 * CLOUD-PROTOCOL.md. Batches and documents come with their contents checked (each event by its type,
 * each document's body by its name); `event.{type}` is one event as it appears in a batch.
 */
export const CLOUD_MESSAGES: Record<string, ContractMessage> = {
  ...Object.fromEntries(
    STREAMS.map((s) => [
      `batch.${s}`,
      { schema: STREAM_BATCHES[s], title: `Event batch of stream ${s} (gateway → cloud, up/${s})`, clause: 'CLP-3.2' },
    ]),
  ),
  ack: { schema: CloudAckSchema, title: 'Batch acknowledgement (cloud → gateway, ack)', clause: 'CLP-3.7' },
  'gateway-state': {
    schema: CloudGatewayStateSchema,
    title: 'Gateway availability (gateway → cloud, state, retained)',
    clause: 'CLP-1.5',
  },
  ...Object.fromEntries(
    DOC_NAMES.map((d) => [
      `document.${d}`,
      { schema: documentOf(d), title: `Document ${d} (cloud → gateway, down/${d})`, clause: 'CLP-5.1' },
    ]),
  ),
  'doc-ack': { schema: DocAckSchema, title: 'Document acknowledgement (gateway → cloud, docack)', clause: 'CLP-5.4' },
  'topup-request': {
    schema: TopUpRequestSchema,
    title: 'Online authorisation request (gateway → cloud, rpc/req)',
    clause: 'CLP-6.1',
  },
  'topup-response': {
    schema: TopUpResponseSchema,
    title: 'Online authorisation response (cloud → gateway, rpc/res)',
    clause: 'CLP-6.2',
  },
  ...Object.fromEntries(
    CLOUD_EVENT_TYPES.map((t) => {
      const { stream, clause } = CLOUD_EVENTS[t];
      return [`event.${t}`, { schema: eventOf(t), title: `Event ${t} (in a batch of stream ${stream})`, clause }];
    }),
  ),
};
