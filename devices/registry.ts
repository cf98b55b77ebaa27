import type { DeviceKind } from '../firmware-protocol/src/kinds/device-kind.ts';
import type { DeviceAdapter } from './adapter.ts';
import { doorReaderAdapter } from './door-reader/adapter.ts';
import { parcelLockerAdapter } from './parcel-locker/adapter.ts';
import { shopScannerAdapter } from './shop-scanner/adapter.ts';
import { vendingMachineAdapter } from './vending-machine/adapter.ts';

/** The one table of device kinds. Adding a kind = a new folder + one line here. */
export const DEVICE_ADAPTERS: Readonly<Record<DeviceKind, DeviceAdapter>> = {
  parcel_locker: parcelLockerAdapter as DeviceAdapter,
  vending_machine: vendingMachineAdapter as DeviceAdapter,
  door_reader: doorReaderAdapter as DeviceAdapter,
  shop_scanner: shopScannerAdapter as DeviceAdapter,
};

export function adapterFor(kind: DeviceKind): DeviceAdapter {
  return DEVICE_ADAPTERS[kind];
}
