import { describe, expect, it } from 'vitest';
import { DEVICE_ADAPTERS } from '../../devices/registry.ts';
import { DEVICE_KINDS } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { KIND_SCHEMAS } from '../../firmware-protocol/src/kinds/index.ts';
import { COMMAND_SPECS, type CommandName } from '../../firmware-protocol/src/messages/commands.ts';

const limits = { vendingMaxTemperatureC: 12, doorOpenAlertS: 120 };

describe('device adapter table', () => {
  it('has one adapter per protocol kind, using the protocol schemas', () => {
    expect(Object.keys(DEVICE_ADAPTERS).sort()).toEqual([...DEVICE_KINDS].sort());
    for (const kind of DEVICE_KINDS) {
      const a = DEVICE_ADAPTERS[kind];
      expect(a.kind).toBe(kind);
      expect(a.capabilitiesSchema).toBe(KIND_SCHEMAS[kind].capabilities);
      expect(a.telemetrySchema).toBe(KIND_SCHEMAS[kind].telemetry);
      expect(a.capabilitiesSchema.safeParse(a.defaultCapabilities).success).toBe(true);
      expect(a.commands).toContain('ping');
      for (const c of a.commands)
        expect((COMMAND_SPECS[c as CommandName].kinds as readonly string[]).includes(kind)).toBe(true);
    }
  });

  it('only lockers open compartments and only door readers unlock doors', () => {
    expect(DEVICE_ADAPTERS.parcel_locker.commands).toContain('open_compartment');
    expect(DEVICE_ADAPTERS.door_reader.commands).toContain('unlock_door');
    expect(DEVICE_ADAPTERS.vending_machine.commands).not.toContain('open_compartment');
    expect(DEVICE_ADAPTERS.shop_scanner.commands).not.toContain('unlock_door');
  });
});

describe('kind-specific health findings', () => {
  const table: { kind: keyof typeof DEVICE_ADAPTERS; telemetry: unknown; codes: string[] }[] = [
    { kind: 'vending_machine', telemetry: { temperatureC: 6 }, codes: [] },
    { kind: 'vending_machine', telemetry: { temperatureC: 12.5 }, codes: ['TOO_WARM'] },
    {
      kind: 'vending_machine',
      telemetry: {
        slots: [
          { slot: 'A1', stock: 0 },
          { slot: 'A2', stock: 3 },
        ],
      },
      codes: ['SOLD_OUT'],
    },
    {
      kind: 'parcel_locker',
      telemetry: { compartments: [{ id: '1', door: 'closed', occupied: true }] },
      codes: ['LOCKER_FULL'],
    },
    { kind: 'parcel_locker', telemetry: { compartments: [{ id: '1', door: 'closed', occupied: false }] }, codes: [] },
    { kind: 'door_reader', telemetry: { tamper: true }, codes: ['TAMPER'] },
    { kind: 'door_reader', telemetry: { tamper: false }, codes: [] },
    { kind: 'shop_scanner', telemetry: { batteryPct: 10, charging: false }, codes: ['LOW_BATTERY'] },
    { kind: 'shop_scanner', telemetry: { batteryPct: 10, charging: true }, codes: [] },
  ];
  for (const row of table) {
    it(`${row.kind} ${JSON.stringify(row.telemetry)} → ${row.codes.join(',') || 'nothing'}`, () => {
      const a = DEVICE_ADAPTERS[row.kind];
      const t = a.telemetrySchema.parse(row.telemetry);
      expect(a.evaluate(t, limits).map((f) => f.code)).toEqual(row.codes);
    });
  }

  it('a warm ambient (not refrigerated) vending machine is fine', () => {
    const vm = DEVICE_ADAPTERS.vending_machine;
    const t = vm.telemetrySchema.parse({ temperatureC: 30 });
    expect(
      vm.evaluate(t, limits, { slots: [{ slot: 'A1' }], refrigerated: false, cashless: true }).map((f) => f.code),
    ).toEqual([]);
    expect(
      vm.evaluate(t, limits, { slots: [{ slot: 'A1' }], refrigerated: true, cashless: true }).map((f) => f.code),
    ).toEqual(['TOO_WARM']);
  });

  it('reports openings so the gateway can time doors left open', () => {
    const locker = DEVICE_ADAPTERS.parcel_locker;
    expect(locker.openings(locker.telemetrySchema.parse({ compartments: [{ id: '7', door: 'open' }] }))).toEqual([
      { id: 'compartment 7', state: 'open' },
    ]);
    const vm = DEVICE_ADAPTERS.vending_machine;
    expect(vm.openings(vm.telemetrySchema.parse({ serviceDoor: 'open' }))).toEqual([
      { id: 'service door', state: 'open' },
    ]);
  });

  it('summarizes capabilities as headline figures', () => {
    expect(DEVICE_ADAPTERS.parcel_locker.summarize(DEVICE_ADAPTERS.parcel_locker.defaultCapabilities)).toMatchObject({
      compartments: 12,
    });
    expect(
      DEVICE_ADAPTERS.shop_scanner.summarize({ merchantId: 'cafe-01', hasDisplay: true, readers: ['qr'] }),
    ).toEqual({ merchant: 'cafe-01' });
  });
});
