import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../gateway/core/log.ts';

/**
 * The gateway's logger (its redaction and masking) writing into memory: `lines` holds each line as written,
 * `records` the same lines parsed, for tests that check what reaches a log.
 */
export function capturedLog<T = Record<string, unknown>>(
  level = 'info',
): { log: Logger; lines: string[]; records: T[] } {
  const lines: string[] = [];
  const records: T[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        records.push(JSON.parse(line) as T);
      }
      cb();
    },
  });
  return { log: createLogger({ level, destination }), lines, records };
}
