import { boxCodes } from '../../../devices/box/codes.ts';
import { chargingPileCodes } from '../../../devices/charging-pile/codes.ts';
import { doorReaderCodes } from '../../../devices/door-reader/codes.ts';
import { parcelLockerCodes } from '../../../devices/parcel-locker/codes.ts';
import { shopScannerCodes } from '../../../devices/shop-scanner/codes.ts';
import { vendingMachineCodes } from '../../../devices/vending-machine/codes.ts';
import type { KindCodes } from './text.ts';

/**
 * The codes each device kind's folder declares, by kind. Only leaf `codes.ts` files are imported, never
 * the registry, so anything (the gateway, the registry's own cone) may import the catalogue without an
 * import cycle; a test checks that every kind of the registry (KIND_MODULES) is here.
 */
export const KIND_CODES: Readonly<Record<string, KindCodes>> = {
  parcel_locker: parcelLockerCodes,
  vending_machine: vendingMachineCodes,
  door_reader: doorReaderCodes,
  shop_scanner: shopScannerCodes,
  charging_pile: chargingPileCodes,
};

/** The gateway box's own hardware (devices/box/): not a kind, but its health has codes too. */
export const BOX_CODES: KindCodes = boxCodes;
