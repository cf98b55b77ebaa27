import * as z from 'zod';
import { DEVICE_KINDS, type DeviceKind } from '../../../devices/registry.ts';

/** [FWP-1.2] The device kinds this gateway knows: the device registry's, in its order. */
export { DEVICE_KINDS, type DeviceKind };
export const DeviceKindSchema = z.enum(DEVICE_KINDS);
