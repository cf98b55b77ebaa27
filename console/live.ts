import { savedToken } from './api.ts';

export type LiveHandler = (event: string, data: unknown) => void;
export type LiveState = 'connecting' | 'live' | 'down';

/**
 * Follows /api/v1/stream: one connection per open page, events as they happen. fetch rather than
 * EventSource, which cannot send the Authorization header (the token would have to go in the URL, and so
 * into logs). Reconnects by itself, 1 s, 2 s, ... up to 30 s; `onState` tells the page to reload what it
 * shows after a gap.
 */
export function followLive(onEvent: LiveHandler, onState: (s: LiveState) => void): () => void {
  let stopped = false;
  let controller: AbortController | undefined;
  let delay = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = async () => {
    if (stopped) return;
    onState('connecting');
    controller = new AbortController();
    try {
      const res = await fetch('/api/v1/stream', {
        headers: { authorization: `Bearer ${savedToken() ?? ''}`, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (res.status === 401) {
        onEvent('expired', null);
        return;
      }
      if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
      onState('live');
      delay = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) onEvent(event, JSON.parse(data));
        }
      }
    } catch {
      // a dropped connection or a gateway restart: try again below
    }
    if (stopped) return;
    onState('down');
    timer = setTimeout(() => void connect(), delay);
    delay = Math.min(delay * 2, 30_000);
  };
  void connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    controller?.abort();
  };
}
