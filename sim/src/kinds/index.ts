import type { DeviceKind } from '../../../firmware-protocol/src/kinds/device-kind.ts';
import { DoorReaderModel } from './door-reader.ts';
import type { KindModel } from './model.ts';
import { ParcelLockerModel } from './parcel-locker.ts';
import { ShopScannerModel, shopScannerCapabilities } from './shop-scanner.ts';
import { VendingMachineModel } from './vending-machine.ts';

export type { KindModel, AckBody, ModelEffects } from './model.ts';
export { ParcelLockerModel, parcelLockerCapabilities } from './parcel-locker.ts';
export { VendingMachineModel, vendingMachineCapabilities } from './vending-machine.ts';
export { DoorReaderModel, doorReaderCapabilities } from './door-reader.ts';
export { ShopScannerModel, shopScannerCapabilities, scannerMerchant } from './shop-scanner.ts';

/** One simulated model per kind; `index` spreads scanners over the demo merchants. */
export const KIND_MODELS: Record<DeviceKind, (index: number) => KindModel> = {
  parcel_locker: () => new ParcelLockerModel(),
  vending_machine: () => new VendingMachineModel(),
  door_reader: () => new DoorReaderModel(),
  shop_scanner: (index) => new ShopScannerModel(shopScannerCapabilities(index)),
};
