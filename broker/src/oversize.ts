import type { PublishPacket } from 'aedes';
import type { EnvelopeStamper } from '../../firmware-protocol/src/stamp.ts';
import type { ErrorMessage } from '../../firmware-protocol/src/messages/errors.ts';
import { parseTopic, topics } from '../../firmware-protocol/src/topics.ts';
import { PROTOCOL_MAJOR } from '../../firmware-protocol/src/version.ts';
import type { Connection } from './connections.ts';
import type { Core } from './core.ts';
import type { FrameVerdict } from './transport/frame-guard.ts';

/** How long the error report may take before the connection is closed anyway. */
const REPORT_TIMEOUT_MS = 1000;

/**
 * [FWP-6.1] The PAYLOAD_TOO_LARGE report for a device, on its own down/error topic. When the oversized
 * packet was a PUBLISH on the device's own topics, the report goes to that topic's major (a device on
 * another major listens there) and names the topic.
 */
function payloadTooLarge(
  stamper: EnvelopeStamper,
  deviceId: string,
  verdict: Extract<FrameVerdict, { kind: 'oversized' }>,
  maxPacketBytes: number,
): { topic: string; message: ErrorMessage } {
  const parsed = verdict.topic === undefined ? undefined : parseTopic(verdict.topic);
  const major = parsed && 'deviceId' in parsed && parsed.deviceId === deviceId ? parsed.major : PROTOCOL_MAJOR;
  const body: ErrorMessage['body'] = {
    code: 'PAYLOAD_TOO_LARGE',
    message:
      `A packet of ${verdict.packetBytes} bytes exceeds the gateway's limit of ${maxPacketBytes} bytes; ` +
      'the connection is closed.',
  };
  if (verdict.topic !== undefined) body.topic = verdict.topic;
  return { topic: topics.down(deviceId, 'error', major), message: stamper.stamp(deviceId, 'error', body) };
}

/**
 * A connection's frame guard stopped its input: count it, tell the device why if it is one (it must be
 * authenticated and subscribed to its down/error to hear it), then close. Closing waits for the report
 * to be handed to the socket, and the socket then flushes it before its FIN (see GuardedConnection);
 * a report that does not complete within REPORT_TIMEOUT_MS does not keep the connection open.
 */
export function handleVerdict(core: Core, conn: Connection, verdict: FrameVerdict): void {
  const { config } = core.ctx;
  const log = core.limitedLog;
  const key = `oversize:${conn.address}`;
  conn.reason ??= 'kicked';
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    if (conn.client) conn.client.close();
    else conn.stream.destroy();
  };
  const fields = { clientId: core.clip(conn.connect?.clientId), address: conn.address };
  if (verdict.kind === 'malformed') {
    log.warn(key, { ...fields, why: verdict.why }, 'malformed MQTT packet header; closing the connection');
    return close();
  }
  core.counters.oversized += 1;
  log.warn(
    key,
    { ...fields, bytes: verdict.packetBytes, limit: config.maxPacketBytes, packetType: verdict.packetType },
    'packet too large; closing the connection',
  );
  const principal = conn.principal;
  const aedes = core.aedes;
  if (principal?.kind !== 'device' || conn.state !== 'registered' || !aedes || aedes.closed) return close();
  const report = payloadTooLarge(core.ctx.stamper, principal.deviceId, verdict, config.maxPacketBytes);
  const timer = setTimeout(close, REPORT_TIMEOUT_MS);
  timer.unref();
  const packet = {
    cmd: 'publish',
    topic: report.topic,
    payload: Buffer.from(JSON.stringify(report.message)),
    qos: 1,
    retain: false,
    dup: false,
  } satisfies PublishPacket;
  aedes.publish(packet, (err) => {
    if (err) log.warn(key, { ...fields, err }, 'could not report PAYLOAD_TOO_LARGE');
    clearTimeout(timer);
    close();
  });
}
