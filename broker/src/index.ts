/** The embedded MQTT broker of the gateway: the only entry point the gateway imports. */
export { LinliBroker } from './broker.ts';
export type {
  BrokerContext,
  BrokerStats,
  DeviceCredentialCheck,
  DisconnectReason,
  InboundMessage,
  PresenceEvent,
} from './types.ts';
export { mayPublish, mayReceive, maySubscribe, type AclDecision, type Principal } from './acl.ts';
export { filterContains, topicMatches } from './topic-filter.ts';
