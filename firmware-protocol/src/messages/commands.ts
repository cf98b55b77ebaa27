import * as z from 'zod';
import { DEVICE_KINDS, type DeviceKind, KIND_MODULES } from '../../../devices/registry.ts';
import { EnvelopeShape } from '../envelope.ts';
import { COMMON_COMMANDS, DISPLAY_COMMAND } from './common-commands.ts';

type Modules = (typeof KIND_MODULES)[number];
type CommandsOf<M> = M extends Modules ? M['wire']['commands'] : never;
type KeysOf<M> = M extends Modules ? keyof M['wire']['commands'] & string : never;
type KindCommandName = KeysOf<Modules>;
type KindCommandArgs<N extends string> = Extract<CommandsOf<Modules>, Record<N, unknown>>[N];
type CommandSpec = { kinds: readonly DeviceKind[]; args: z.ZodObject };

const commonSpecs = Object.fromEntries(
  Object.entries(COMMON_COMMANDS).map(([name, args]) => [name, { kinds: DEVICE_KINDS, args }]),
);
const displaySpecs = Object.fromEntries(
  Object.entries(DISPLAY_COMMAND).map(([name, args]) => [
    name,
    { kinds: KIND_MODULES.filter((m) => m.wire.displays).map((m) => m.wire.kind), args },
  ]),
);
const kindSpecs = Object.fromEntries(
  KIND_MODULES.flatMap((m) =>
    Object.entries(m.wire.commands as Record<string, z.ZodObject>).map(([name, args]) => [
      name,
      { kinds: [m.wire.kind], args },
    ]),
  ),
);

/**
 * [FWP-9.2] Every command the protocol defines, its arguments and the kinds that must implement it:
 * the common ones, `display_message` for kinds with a screen, and each kind's own from its wire contract.
 */
export const COMMAND_SPECS = { ...commonSpecs, ...displaySpecs, ...kindSpecs } as unknown as {
  [N in keyof typeof COMMON_COMMANDS]: { kinds: readonly DeviceKind[]; args: (typeof COMMON_COMMANDS)[N] };
} & { [N in keyof typeof DISPLAY_COMMAND]: { kinds: readonly DeviceKind[]; args: (typeof DISPLAY_COMMAND)[N] } } & {
  [N in KindCommandName]: { kinds: readonly DeviceKind[]; args: KindCommandArgs<N> };
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_SPECS;
export const COMMAND_NAMES = Object.keys(COMMAND_SPECS) as CommandName[];
export const CommandNameSchema = z.enum(COMMAND_NAMES as [CommandName, ...CommandName[]]);

/** Whether a kind implements a command [FWP-9.2]. */
export function kindSupportsCommand(kind: DeviceKind, name: CommandName): boolean {
  return (COMMAND_SPECS[name].kinds as readonly DeviceKind[]).includes(kind);
}

/** [FWP-9.1] Default time a device has to acknowledge a command, unless the command says otherwise. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

type Spec<N extends CommandName> = (typeof COMMAND_SPECS)[N];
/** A command body: name, its validated arguments and the ack deadline. */
export type CommandBody = {
  [N in CommandName]: { name: N; args: z.output<Spec<N>['args']>; timeoutMs: number };
}[CommandName];
export type CommandBodyInput = {
  [N in CommandName]: { name: N; args: z.input<Spec<N>['args']>; timeoutMs?: number | undefined };
}[CommandName];

export const CommandBodySchema = z.discriminatedUnion(
  'name',
  COMMAND_NAMES.map((name) =>
    z.object({
      name: z.literal(name),
      args: COMMAND_SPECS[name].args,
      /** The device must send its ack within this many milliseconds of receipt, or not carry out the command. */
      timeoutMs: z.number().int().min(100).max(120_000).default(DEFAULT_COMMAND_TIMEOUT_MS),
    }),
  ) as unknown as [
    z.ZodObject<{ name: z.ZodLiteral<CommandName> }>,
    ...z.ZodObject<{ name: z.ZodLiteral<CommandName> }>[],
  ],
) as unknown as z.ZodType<CommandBody, CommandBodyInput>;

/** [FWP-9.1] A command from the gateway to one device. */
export const CommandMessageSchema = z.object({ ...EnvelopeShape, type: z.literal('command'), body: CommandBodySchema });

export type CommandMessage = z.infer<typeof CommandMessageSchema>;
export { AckMessageSchema, type AckMessage } from './ack.ts';
