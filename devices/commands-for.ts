import type { DeviceKind } from '../firmware-protocol/src/kinds/device-kind.ts';
import { COMMAND_NAMES, kindSupportsCommand, type CommandName } from '../firmware-protocol/src/messages/commands.ts';

/** The commands a kind implements, read from the protocol's command table [FWP-9.2]. */
export function commandsFor(kind: DeviceKind): readonly CommandName[] {
  return COMMAND_NAMES.filter((name) => kindSupportsCommand(kind, name));
}
