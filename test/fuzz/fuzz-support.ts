import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import * as z from 'zod';
import { createLogger, type Logger } from '../../gateway/core/log.ts';
import { sample, type JsonSchema } from './json-fuzz.ts';

/** The seed of every fuzz suite: printed, and taken from LINLI_FUZZ_SEED to replay a failure. */
export const FUZZ_SEED = Number(process.env.LINLI_FUZZ_SEED ?? 20261201);

/** A zod schema as JSON Schema, the form the value generator reads. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** A value the schema accepts, drawn from its JSON Schema (fails the test when none is found). */
export function validSample(schema: z.ZodType, what: string, seed = FUZZ_SEED): unknown {
  const candidates = fc.sample(sample(jsonSchemaOf(schema)), { numRuns: 300, seed });
  for (const c of candidates) {
    const r = schema.safeParse(c);
    if (r.success) return c;
  }
  throw new Error(`no valid sample of ${what} in 300 tries: the generator needs to learn its schema`);
}

/** Heap in use after a full collection, in MB. */
export function heapAfterGcMb(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** A logger that keeps what was logged at error level or above, so a test can say nothing went wrong inside. */
export function capturingLogger(): { log: Logger; errors: LogLine[]; lines: () => number } {
  const errors: LogLine[] = [];
  let lines = 0;
  const log = createLogger({
    level: 'info',
    destination: {
      write: (l: string) => {
        lines += 1;
        const line = JSON.parse(l) as LogLine;
        if (line.level >= 50 && errors.length < 1000) errors.push(line);
      },
    },
  });
  return { log, errors, lines: () => lines };
}
