import { z } from 'zod';

/** [FWP-1.2] The device kinds a gateway knows. Adding one is a new folder under devices/ and one entry here. */
export const DEVICE_KINDS = ['parcel_locker', 'vending_machine', 'door_reader', 'shop_scanner'] as const;
export const DeviceKindSchema = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof DeviceKindSchema>;

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
