/**
 * [CLP-3.1] Streams of events, each numbered and delivered in order on its own, so a backlog of one
 * never holds up another. Money, access, parcel and health events are never dropped; telemetry may be,
 * oldest first, when the outbox is over its disk budget [CLP-3.8].
 */
export const STREAMS = ['money', 'access', 'parcels', 'health', 'telemetry'] as const;
export type Stream = (typeof STREAMS)[number];
export const DROPPABLE: ReadonlySet<Stream> = new Set(['telemetry']);
