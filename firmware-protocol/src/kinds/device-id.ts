import * as z from 'zod';

/** [FWP-1.1] Device ids: lower-case letters, digits and dashes; they are MQTT client ids and topic levels. */
export const DeviceIdSchema = z
  .string()
  .min(1)
  .max(48)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lower-case letters, digits and inner dashes only')
  // Usernames starting with "integration-" belong to read-only integration accounts on the broker.
  .refine(
    (id) => !id.startsWith('integration-'),
    'ids starting with "integration-" are reserved for integration accounts',
  );
export type DeviceId = z.infer<typeof DeviceIdSchema>;

/** A kind's name as the core stores and compares it; which kinds exist is the device registry's business. */
export const KindNameSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and underscores');
