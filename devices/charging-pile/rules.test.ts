import { describe, expect, it } from 'vitest';
import { dangers, heldUnitsFor, pileFindings, usedUnits } from './rules.ts';
import { ChargingPileCapabilitiesSchema } from './wire.ts';

const caps = ChargingPileCapabilitiesSchema.parse({
  sockets: [
    { id: '1', maxPowerW: 1000 },
    { id: '2', maxPowerW: 2200 },
  ],
});

describe('charging pile rules (pure)', () => {
  it('bills started hours or started kWh, never more than was held', () => {
    expect(usedUnits('hour', { minutes: 0, energyWh: 0 }, 8)).toBe(0);
    expect(usedUnits('hour', { minutes: 1, energyWh: 5 }, 8)).toBe(1);
    expect(usedUnits('hour', { minutes: 60, energyWh: 500 }, 8)).toBe(1);
    expect(usedUnits('hour', { minutes: 61, energyWh: 500 }, 8)).toBe(2);
    expect(usedUnits('hour', { minutes: 600, energyWh: 500 }, 8)).toBe(8);
    expect(usedUnits('kwh', { minutes: 600, energyWh: 1001 }, 8)).toBe(2);
  });

  it('holds hours, or the energy the socket can take in that time', () => {
    expect(heldUnitsFor({ per: 'hour', priceFen: 100 }, 4, 1000)).toBe(4);
    expect(heldUnitsFor({ per: 'kwh', priceFen: 150 }, 4, 1000)).toBe(4);
    expect(heldUnitsFor({ per: 'kwh', priceFen: 150 }, 1, 300)).toBe(1);
  });

  it('over-current is judged against each socket’s rating (+10% at 220 V); heat above 65 °C is a fire risk', () => {
    expect(dangers({ sockets: [{ id: '1', state: 'charging', currentA: 5 }] }, caps)).toEqual([]);
    expect(dangers({ sockets: [{ id: '1', state: 'charging', currentA: 5.1 }] }, caps)).toMatchObject([
      { socket: '1', code: 'OVER_CURRENT' },
    ]);
    expect(dangers({ sockets: [{ id: '2', state: 'charging', currentA: 10.9 }] }, caps)).toEqual([]);
    expect(dangers({ sockets: [{ id: '2', state: 'charging', temperatureC: 66 }] }, caps)).toMatchObject([
      { socket: '2', code: 'OVER_TEMPERATURE' },
    ]);
    // a hot enclosure puts every socket at risk
    expect(dangers({ temperatureC: 70, sockets: [{ id: '1', state: 'idle' }] }, caps)).toMatchObject([
      { socket: '1', code: 'OVER_TEMPERATURE' },
    ]);
  });

  it('dangers are faults; a socket out of order degrades', () => {
    const f = pileFindings(
      {
        sockets: [
          { id: '1', state: 'fault' },
          { id: '2', state: 'charging', currentA: 30 },
        ],
      },
      caps,
    );
    expect(f.map((x) => [x.code, x.severity])).toEqual([
      ['OVER_CURRENT', 'fault'],
      ['SOCKET_FAULT', 'degraded'],
    ]);
  });
});
