import { z } from 'zod';
import { EnvelopeShape, MessageIdSchema } from '../envelope.ts';
import { DEVICE_KINDS, type DeviceKind } from '../kinds/device-kind.ts';

/** [FWP-9.2] Every command the protocol defines, its arguments and the kinds that must implement it. */
export const COMMAND_SPECS = {
  ping: { kinds: DEVICE_KINDS, args: z.object({}).strict() },
  reboot: { kinds: DEVICE_KINDS, args: z.object({ delayS: z.number().int().min(0).max(300).default(0) }).strict() },
  identify: {
    kinds: DEVICE_KINDS,
    args: z.object({ durationS: z.number().int().min(1).max(120).default(10) }).strict(),
  },
  set_heartbeat: { kinds: DEVICE_KINDS, args: z.object({ intervalS: z.number().int().min(5).max(3600) }).strict() },
  open_compartment: {
    kinds: ['parcel_locker'],
    args: z.object({ compartment: z.string().min(1).max(8) }).strict(),
  },
  unlock_door: {
    kinds: ['door_reader'],
    args: z
      .object({ door: z.string().min(1).max(16), pulseMs: z.number().int().min(100).max(30_000).default(3000) })
      .strict(),
  },
  display_message: {
    kinds: ['vending_machine', 'shop_scanner', 'parcel_locker'],
    args: z
      .object({ text: z.string().min(1).max(200), durationS: z.number().int().min(1).max(600).default(10) })
      .strict(),
  },
} as const satisfies Record<string, { kinds: readonly DeviceKind[]; args: z.ZodType }>;

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

/** [FWP-9.3] The device's answer to a command; `corr` is the command's `id`. */
export const AckMessageSchema = z.object({
  ...EnvelopeShape,
  corr: MessageIdSchema,
  type: z.literal('ack'),
  body: z.object({
    status: z.enum(['done', 'rejected', 'failed']),
    /** For rejected/failed: the device's own reason code, e.g. "E_DOOR_JAMMED". */
    reason: z.string().min(1).max(48).optional(),
    detail: z.string().max(200).optional(),
    result: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  }),
});

export type CommandMessage = z.infer<typeof CommandMessageSchema>;
export type AckMessage = z.infer<typeof AckMessageSchema>;
