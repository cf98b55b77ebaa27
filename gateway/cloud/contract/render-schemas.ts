import * as z from 'zod';
import { CLOUD_PROTOCOL_MAJOR, CLOUD_PROTOCOL_VERSION } from './common.ts';
import { CLOUD_MESSAGES } from './index.ts';

/** The `$id` of a message's JSON Schema. */
export const schemaId = (name: string) => `https://linli.dev/cloud/v${CLOUD_PROTOCOL_MAJOR}/${name}.schema.json`;

/**
 * The JSON Schema files for the platform team, file name → parsed content, generated from the zod schemas
 * the gateway and the simulated cloud validate with. `io: 'input'` describes what a sender may send:
 * fields with defaults are optional.
 */
export function renderCloudSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, { schema, title, clause }] of Object.entries(CLOUD_MESSAGES)) {
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
    out[`${name}.schema.json`] = {
      $schema: json.$schema,
      $id: schemaId(name),
      title,
      description:
        `Linli cloud protocol ${CLOUD_PROTOCOL_VERSION}, clause ${clause} of gateway/cloud/CLOUD-PROTOCOL.md. ` +
        `Generated from the gateway's zod schemas by gateway/cloud/contract/generate-schemas.ts; do not edit.`,
      ...Object.fromEntries(Object.entries(json).filter(([k]) => k !== '$schema')),
    };
  }
  return out;
}
