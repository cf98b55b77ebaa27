import type { HealthFinding } from '../adapter.ts';
import type { ChargingPileCapabilities, ChargingPileTelemetry } from './wire.ts';

/** Mains voltage the rated current is derived from; piles in Chinese communities run on 220 V. */
const MAINS_V = 220;
/** Above this a socket or the pile is a fire risk (GB/T 17626-style enclosures are rated to 70 °C). */
const OVER_TEMPERATURE_C = 65;
/** A full battery left plugged in blocks a socket others need; after this long it is a finding. */
export const OCCUPIED_AFTER_FULL_MS = 30 * 60_000;

/** The products a charge is sold as, so campaigns (a monthly charging card, free hours) can name them. */
export const CHARGE_PRODUCTS = { hour: 'ebike-charge-hour', kwh: 'ebike-charge-kwh' } as const;

type DangerCode = 'OVER_CURRENT' | 'OVER_TEMPERATURE';

/** The sockets to cut now and why: over their rated current (+10%), or too hot. Pure. */
export function dangers(
  t: ChargingPileTelemetry,
  caps: ChargingPileCapabilities | undefined,
): { socket: string; code: DangerCode; message: string }[] {
  const out: { socket: string; code: DangerCode; message: string }[] = [];
  const rated = new Map((caps?.sockets ?? []).map((s) => [s.id, (s.maxPowerW / MAINS_V) * 1.1]));
  for (const s of t.sockets ?? []) {
    const limitA = rated.get(s.id) ?? (1000 / MAINS_V) * 1.1;
    if (s.currentA !== undefined && s.currentA > limitA)
      out.push({
        socket: s.id,
        code: 'OVER_CURRENT',
        message: `socket ${s.id} draws ${s.currentA} A, over its rated ${limitA.toFixed(1)} A`,
      });
    const hot = s.temperatureC ?? t.temperatureC;
    if (hot !== undefined && hot > OVER_TEMPERATURE_C)
      out.push({
        socket: s.id,
        code: 'OVER_TEMPERATURE',
        message: `socket ${s.id} at ${hot} °C, above ${OVER_TEMPERATURE_C} °C: fire risk`,
      });
  }
  return out;
}

/** Health findings of one report: every danger is a fault; a socket reporting a fault degrades the pile. */
export function pileFindings(t: ChargingPileTelemetry, caps: ChargingPileCapabilities | undefined): HealthFinding[] {
  const findings: HealthFinding[] = [];
  for (const code of ['OVER_CURRENT', 'OVER_TEMPERATURE'] as const) {
    const hits = dangers(t, caps).filter((d) => d.code === code);
    if (hits.length > 0) findings.push({ severity: 'fault', code, message: hits.map((h) => h.message).join('; ') });
  }
  const faulty = (t.sockets ?? []).filter((s) => s.state === 'fault').map((s) => s.id);
  if (faulty.length > 0)
    findings.push({ severity: 'degraded', code: 'SOCKET_FAULT', message: `socket ${faulty.join(', ')} out of order` });
  return findings;
}

/**
 * What a charge costs, in the tariff's units: per started hour, or per started kWh by the pile's meter;
 * never more than the units held (the pile stops at the limit, a meter beyond it is not billed).
 */
export function usedUnits(
  per: 'hour' | 'kwh',
  metered: { minutes: number; energyWh: number },
  heldUnits: number,
): number {
  const units = per === 'hour' ? Math.ceil(metered.minutes / 60) : Math.ceil(metered.energyWh / 1000);
  return Math.min(units, heldUnits);
}

/** The units to hold for a charge of `hours`: hours, or the energy a socket can take in that time. */
export function heldUnitsFor(
  tariff: ChargingPileCapabilities['tariff'],
  hours: number,
  socketMaxPowerW: number,
): number {
  return tariff.per === 'hour' ? hours : Math.max(1, Math.ceil((hours * socketMaxPowerW) / 1000));
}
