import { defineKind } from '../kind-module.ts';
import { shopScannerCodes } from './codes.ts';
import { shopScannerHealth } from './adapter.ts';
import { ShopScannerModel, scannerMerchant, shopScannerCapabilities } from './sim-twin.ts';
import { shopScannerScenarios } from './sim-scenarios.ts';
import { shopScannerWire } from './wire.ts';

/** 扫码核销: a shop's QR/NFC scanner; it sells for the shop staff bound it to, never for what it claims. */
export const shopScanner = defineKind({
  wire: shopScannerWire,
  health: shopScannerHealth,
  codes: shopScannerCodes,
  pointOfSale: 'bound',
  claimedMerchant: (capabilities) => (capabilities as { merchantId?: string }).merchantId,
  sim: {
    prefix: 'scanner',
    option: 'scanners',
    describe: 'shop scanners (café, fresh food, pharmacy, breakfast stall, …)',
    demo: 2,
    scenarios: shopScannerScenarios,
    faults: ['E_CAMERA'],
    model: (index) => new ShopScannerModel(shopScannerCapabilities(index)),
    merchant: scannerMerchant,
  },
});
