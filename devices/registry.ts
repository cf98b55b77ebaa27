import { COMMON_COMMANDS, DISPLAY_COMMAND } from '../firmware-protocol/src/messages/common-commands.ts';
import type { DeviceAdapter, KindHealth } from './adapter.ts';
import { chargingPile } from './charging-pile/index.ts';
import { doorReader } from './door-reader/index.ts';
import type { KindModule } from './kind-module.ts';
import { parcelLocker } from './parcel-locker/index.ts';
import { shopScanner } from './shop-scanner/index.ts';
import { vendingMachine } from './vending-machine/index.ts';

/**
 * The one table of device kinds: adding a kind is a folder under devices/ and one line here. The
 * protocol's unions, the health rules, the request and event dispatch, the simulator and the demo
 * all read it; nothing else names a kind.
 */
export const KIND_MODULES = [parcelLocker, vendingMachine, doorReader, shopScanner, chargingPile] as const;

export type DeviceKind = (typeof KIND_MODULES)[number]['wire']['kind'];
export const DEVICE_KINDS = KIND_MODULES.map((m) => m.wire.kind) as [DeviceKind, ...DeviceKind[]];

const BY_KIND = new Map<string, KindModule>(KIND_MODULES.map((m) => [m.wire.kind, m as unknown as KindModule]));

/** The module of a kind; undefined for a name the registry does not know. */
export function kindModule(kind: string): KindModule | undefined {
  return BY_KIND.get(kind);
}

/** The commands a kind implements [FWP-9.2]: the common ones, display_message with a screen, its own. */
export function commandsOf(m: KindModule): string[] {
  return [
    ...Object.keys(COMMON_COMMANDS),
    ...(m.wire.displays ? Object.keys(DISPLAY_COMMAND) : []),
    ...Object.keys(m.wire.commands),
  ];
}

function adapterOf(m: KindModule): DeviceAdapter {
  return {
    ...(m.health as KindHealth),
    kind: m.wire.kind,
    label: m.wire.label,
    capabilitiesSchema: m.wire.capabilities,
    telemetrySchema: m.wire.telemetry,
    commands: commandsOf(m),
  };
}

export const DEVICE_ADAPTERS = Object.fromEntries(
  KIND_MODULES.map((m) => [m.wire.kind, adapterOf(m as unknown as KindModule)]),
) as Readonly<Record<DeviceKind, DeviceAdapter>>;

export function adapterFor(kind: string): DeviceAdapter {
  const a = (DEVICE_ADAPTERS as Record<string, DeviceAdapter | undefined>)[kind];
  if (!a) throw new Error(`no device kind "${kind}" in the registry`);
  return a;
}
