import type { KindHealth } from '../adapter.ts';
import { pileFindings } from './rules.ts';
import type { ChargingPileCapabilities, ChargingPileTelemetry } from './wire.ts';

/** The charging pile's health rules: over-current and over-temperature are faults, a broken socket degrades. */
export const chargingPileHealth: KindHealth<ChargingPileCapabilities, ChargingPileTelemetry> = {
  defaultCapabilities: {
    sockets: Array.from({ length: 10 }, (_, i) => ({ id: String(i + 1), maxPowerW: 1000 })),
    tariff: { per: 'hour', priceFen: 100 },
    maxHours: 8,
    readers: ['nfc'],
  },
  openings: () => [],
  evaluate: (t, _limits, caps) => pileFindings(t, caps),
  summarize: (c) => ({
    sockets: c.sockets.length,
    tariff: `¥${(c.tariff.priceFen / 100).toFixed(2)}/${c.tariff.per === 'hour' ? 'h' : 'kWh'}`,
  }),
};
