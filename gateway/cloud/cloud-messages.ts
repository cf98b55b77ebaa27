/**
 * The gateway ↔ cloud messages now live in the contract (`contract/`, described by CLOUD-PROTOCOL.md);
 * re-exported here for the code that imports them from their old place.
 */
export { cloudTopics } from './contract/topics.ts';
export {
  CloudAckSchema,
  CloudBatchSchema,
  CloudEventSchema,
  StreamSchema,
  TopUpRequestSchema,
  TopUpResponseSchema,
  type CloudAck,
  type CloudBatch,
} from './contract/envelopes.ts';
