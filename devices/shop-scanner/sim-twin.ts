import type * as z from 'zod';
import { type ShopScannerCapabilitiesSchema, shopScannerWire } from './wire.ts';
import type { Rng } from '../../sim/src/prng.ts';
import type { KindModel } from '../../sim/src/kinds/model.ts';

type Caps = z.input<typeof ShopScannerCapabilitiesSchema>;

const MERCHANTS = ['cafe-01', 'fresh-01', 'pharmacy-01', 'breakfast-01'];

/** The demo shop the n-th simulated scanner serves (staff bind it at provisioning). */
export function scannerMerchant(index: number): string {
  return MERCHANTS[index % MERCHANTS.length] ?? 'cafe-01';
}

export function shopScannerCapabilities(index = 0): Caps {
  return { merchantId: scannerMerchant(index), counter: 'till-1', hasDisplay: true, readers: ['qr', 'nfc'] };
}

export class ShopScannerModel implements KindModel {
  temperatureC: number | undefined = undefined;
  batteryPct = 90;
  charging = false;

  constructor(readonly capabilities: Caps = shopScannerCapabilities()) {}

  telemetry() {
    return { kind: shopScannerWire.kind, batteryPct: this.batteryPct, charging: this.charging };
  }

  command() {
    return undefined;
  }

  setOpen(): boolean {
    return false;
  }

  drift(rng: Rng): void {
    if (this.charging) this.batteryPct = Math.min(100, this.batteryPct + 5);
    else if (rng() < 0.5) this.batteryPct = Math.max(0, this.batteryPct - 1);
  }
}
