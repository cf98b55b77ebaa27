import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { KIND_MODULES } from '../../devices/registry.ts';
import { SIM_ID_PREFIX, type SimFleetPlan } from './fleet.ts';

/** What the simulator sees of a device that exists on the gateway. */
export interface ExistingDevice {
  kind: DeviceKind;
  name: string | null;
  disabled: boolean;
}

/** How the simulator reaches a gateway's registry: its staff API, or (the demo) the gateway in-process. */
export interface RegistryPort {
  find(id: string): Promise<ExistingDevice | undefined>;
  /** The new device's secret, or undefined when the id was taken meanwhile. */
  provision(d: { id: string; kind: DeviceKind; name: string; merchantId?: string }): Promise<string | undefined>;
  rotate(id: string): Promise<string>;
}

export interface Claimed {
  id: string;
  kind: DeviceKind;
  secret: string;
  action: 'created' | 'new secret';
}

/** "Parcel locker" → "parcel locker"; an acronym ("NFC door reader") keeps its capitals. */
const labelOf = (kind: string) => {
  const label = KIND_MODULES.find((m) => m.wire.kind === kind)?.wire.label ?? kind;
  return /^[A-Z][a-z]/.test(label) ? label[0]?.toLowerCase() + label.slice(1) : label;
};

/** The mark of devices `linli sim` creates, and of those the demo creates: neither touches the other's. */
export const SIM_MARK = '(linli sim)';
export const DEMO_MARK = '(linli demo)';

/** The name a simulator gives a device it creates; `mark` says which one ("(linli sim)", "(linli demo)"). */
export const simDeviceName = (kind: DeviceKind, mark: string) => `Simulated ${labelOf(kind)} ${mark}`;

/** Whether a device was created by the simulator that signs with `mark`: the only devices it may touch. */
export const createdBy = (mark: string) => (id: string, d: { name: string | null }) =>
  id.startsWith(SIM_ID_PREFIX) && (d.name ?? '').endsWith(mark);

/**
 * Gets the devices of a plan, touching only devices of its own: ids `sim-<kind>-NN`, named with its
 * `mark`. A free id is provisioned; one it created before (same kind, enabled) gets a new secret (the
 * gateway keeps only hashes); any other device on the way — a real one, another simulator's, or one
 * staff disabled — is passed by untouched and the next number is tried.
 */
export async function claimSimDevices(
  plan: SimFleetPlan,
  mark: string,
  port: RegistryPort,
): Promise<{ claimed: Claimed[]; passed: { id: string; why: string }[] }> {
  const ours = createdBy(mark);
  const claimed: Claimed[] = [];
  const passed: { id: string; why: string }[] = [];
  for (const m of KIND_MODULES) {
    const kind = m.wire.kind as DeviceKind;
    let n = 0;
    for (let k = 0; k < (plan[m.sim.option] ?? 0); k++) {
      // the k-th scanner of the plan serves the k-th demo shop, whatever number its id got
      const merchantId = m.sim.merchant?.(k);
      for (let tries = 0; ; tries++) {
        if (tries > 200)
          throw new Error(`no free id for a simulated ${labelOf(kind)} after ${passed.length} taken ones`);
        n += 1;
        const id = `${SIM_ID_PREFIX}${m.sim.prefix}-${String(n).padStart(2, '0')}`;
        const existing = await port.find(id);
        if (!existing) {
          const secret = await port.provision({
            id,
            kind,
            name: simDeviceName(kind, mark),
            ...(merchantId ? { merchantId } : {}),
          });
          if (secret === undefined) continue;
          claimed.push({ id, kind, secret, action: 'created' });
          break;
        }
        const why = !ours(id, existing)
          ? `not created by this simulator (name "${existing.name ?? ''}")`
          : existing.kind !== kind
            ? `a ${existing.kind}`
            : existing.disabled
              ? 'disabled by staff'
              : undefined;
        if (why) {
          passed.push({ id, why });
          continue;
        }
        claimed.push({ id, kind, secret: await port.rotate(id), action: 'new secret' });
        break;
      }
    }
  }
  return { claimed, passed };
}
