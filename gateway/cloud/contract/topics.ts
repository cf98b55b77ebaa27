/**
 * [CLP-2.1] The gateway ↔ cloud topics over any MQTT broker. Every topic names the gateway, so a fleet of
 * thousands shares one broker cluster and cloud consumers read with a shared subscription [CLP-2.2]:
 * `$share/linli-ingest/linli-cloud/v1/gw/+/up/+`.
 */
const ROOT = 'linli-cloud/v1/gw';
export const cloudTopics = {
  /** Gateway → cloud: a batch of one stream's events, QoS 1 [CLP-3.2]. */
  up: (gatewayId: string, stream: string) => `${ROOT}/${gatewayId}/up/${stream}`,
  /** Cloud → gateway: acknowledgements of batches, QoS 1 [CLP-3.7]. */
  ack: (gatewayId: string) => `${ROOT}/${gatewayId}/ack`,
  /** The gateway's retained availability, with its session counter; the last will says offline [CLP-1.5]. */
  state: (gatewayId: string) => `${ROOT}/${gatewayId}/state`,
  /** Cloud → gateway: versioned documents (catalog, hotlist, allowances...), QoS 1 [CLP-5.1]. */
  down: (gatewayId: string, doc: string) => `${ROOT}/${gatewayId}/down/${doc}`,
  downAll: (gatewayId: string) => `${ROOT}/${gatewayId}/down/+`,
  /** Gateway → cloud: the version applied of a document, or a request for a full one (resync) [CLP-5.4]. */
  docAck: (gatewayId: string) => `${ROOT}/${gatewayId}/docack`,
  /** Online authorisation: request and response, QoS 1 [CLP-6.1]. */
  rpcReq: (gatewayId: string) => `${ROOT}/${gatewayId}/rpc/req`,
  rpcRes: (gatewayId: string) => `${ROOT}/${gatewayId}/rpc/res`,
  allUp: () => `${ROOT}/+/up/+`,
  allState: () => `${ROOT}/+/state`,
  allDocAck: () => `${ROOT}/+/docack`,
  allRpcReq: () => `${ROOT}/+/rpc/req`,
  parse(topic: string): { gatewayId: string; stream: string } | undefined {
    const p = topic.split('/');
    if (p.length !== 6 || `${p[0]}/${p[1]}/${p[2]}` !== ROOT || p[4] !== 'up' || !p[3] || !p[5]) return undefined;
    return { gatewayId: p[3], stream: p[5] };
  },
  /** The gateway a topic under the root names, whatever follows it. */
  gatewayOf(topic: string): string | undefined {
    const p = topic.split('/');
    return `${p[0]}/${p[1]}/${p[2]}` === ROOT && p[3] ? p[3] : undefined;
  },
};
