import { ResponseMessageSchema, type ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { waitFor } from './gateway-harness.ts';
import type { RawDevice } from './raw-device.ts';

let n = 0;

/** The device's responses, validated against the published schema. */
export const responsesOf = (d: RawDevice) =>
  d.received.filter((r) => r.topic.endsWith('/down/response')).map((r) => ResponseMessageSchema.parse(r.json));

/**
 * Sends one request on up/request and waits for its response
 * (by `corr`). `id` lets a test resend the very same message.
 */
export async function ask(d: RawDevice, txn: string, body: unknown, id = `${d.id}-req-${++n}`): Promise<ResponseBody> {
  const before = responsesOf(d).filter((r) => r.corr === id).length;
  await d.publishRaw(
    `linli/v1/dev/${d.id}/up/request`,
    JSON.stringify({ v: '1.0', id, ts: Date.now(), seq: ++n, txn, type: 'request', body }),
  );
  await waitFor(() => responsesOf(d).filter((r) => r.corr === id).length > before, `response to ${id}`);
  const r = responsesOf(d)
    .filter((x) => x.corr === id)
    .at(-1);
  if (!r) throw new Error('no response');
  return r.body;
}

/** Sends one event on up/event. */
export function sendEvent(d: RawDevice, body: unknown, txn?: string): Promise<unknown> {
  return d.publishRaw(
    `linli/v1/dev/${d.id}/up/event`,
    JSON.stringify({
      v: '1.0',
      id: `${d.id}-ev-${++n}`,
      ts: Date.now(),
      seq: ++n,
      ...(txn ? { txn } : {}),
      type: 'event',
      body,
    }),
  );
}
