import { describe, expect, it } from 'vitest';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import {
  claimSimDevices,
  DEMO_MARK,
  SIM_MARK,
  simDeviceName,
  type ExistingDevice,
  type RegistryPort,
} from '../../sim/src/claim.ts';

/** A gateway registry in memory, recording every change the simulator makes. */
function registry(initial: Record<string, ExistingDevice>) {
  const devices = new Map(Object.entries(initial));
  const changes: string[] = [];
  const port: RegistryPort = {
    find: async (id) => devices.get(id),
    async provision(d) {
      if (devices.has(d.id)) return undefined;
      devices.set(d.id, { kind: d.kind, name: d.name, disabled: false });
      changes.push(`provision ${d.id}${d.merchantId ? ` for ${d.merchantId}` : ''}`);
      return `secret-${d.id}`;
    },
    async rotate(id) {
      changes.push(`rotate ${id}`);
      return `new-${id}`;
    },
  };
  return { port, changes };
}
const dev = (kind: DeviceKind, name: string | null, disabled = false): ExistingDevice => ({ kind, name, disabled });

describe('the simulator touches only devices it created', () => {
  it(
    'passes by real, disabled, other-kind and other-simulator devices; ' + 'rotates its own; creates the rest',
    async () => {
      const { port, changes } = registry({
        'sim-vm-01': dev('vending_machine', 'Lobby machine'), // a real device using the id: never touched
        // its own, disabled by staff
        'sim-vm-02': dev('vending_machine', simDeviceName('vending_machine', SIM_MARK), true),
        'sim-vm-03': dev('vending_machine', simDeviceName('vending_machine', SIM_MARK)), // its own from an earlier run
        'sim-vm-04': dev('vending_machine', simDeviceName('vending_machine', DEMO_MARK)), // the demo's
        'sim-locker-01': dev('door_reader', simDeviceName('door_reader', SIM_MARK)), // its own, but another kind now
        'vm-01': dev('vending_machine', null),
      });
      const r = await claimSimDevices({ lockers: 1, vending: 2, doors: 0, scanners: 2 }, SIM_MARK, port);
      expect(r.claimed.map((c) => [c.id, c.action])).toEqual([
        ['sim-locker-02', 'created'],
        ['sim-vm-03', 'new secret'],
        ['sim-vm-05', 'created'],
        ['sim-scanner-01', 'created'],
        ['sim-scanner-02', 'created'],
      ]);
      expect(r.passed.map((p) => p.id)).toEqual(['sim-locker-01', 'sim-vm-01', 'sim-vm-02', 'sim-vm-04']);
      expect(r.passed.find((p) => p.id === 'sim-vm-02')?.why).toBe('disabled by staff');
      expect(changes).toEqual([
        'provision sim-locker-02',
        'rotate sim-vm-03',
        'provision sim-vm-05',
        'provision sim-scanner-01 for cafe-01',
        'provision sim-scanner-02 for fresh-01',
      ]);
      expect(changes.some((c) => /sim-vm-0[124]|sim-locker-01|vm-01/.test(c))).toBe(false);
    },
  );
});
