import type { AckMessage } from '../../../firmware-protocol/src/messages/ack.ts';
import type { Rng } from '../prng.ts';

export type AckBody = AckMessage['body'];

/** A command as a twin sees it: validated against the protocol's schema before it gets here. */
export interface TwinCommand {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: each twin reads the arguments of its own commands
  args: any;
}

/** What a command handler may do besides answering: report changed state, or act later. */
export interface ModelEffects {
  changed(): void;
  later(ms: number, fn: () => void): void;
}

/** The simulated hardware of one device kind: its capabilities, readings and command behaviour. */
export interface KindModel {
  readonly capabilities: unknown;
  temperatureC: number | undefined;
  /** Kind-specific telemetry fields (the device adds the common ones). */
  telemetry(): { kind: string } & Record<string, unknown>;
  /** Kind-specific commands; the common ones (ping, identify, ...) are handled by the device. */
  command(body: TwinCommand, fx: ModelEffects): AckBody | undefined;
  /** Opens or closes a door/compartment; false when there is no such opening. Undefined id = the first. */
  setOpen(id: string | undefined, open: boolean): boolean;
  /** Small random drift of readings between reports. */
  drift(rng: Rng): void;
}
