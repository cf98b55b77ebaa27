import type { CommandBody } from '../../../firmware-protocol/src/messages/commands.ts';
import type { AckMessage } from '../../../firmware-protocol/src/messages/commands.ts';
import type { TelemetryBody } from '../../../firmware-protocol/src/messages/lifecycle.ts';
import type { Rng } from '../prng.ts';

export type AckBody = AckMessage['body'];

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
  telemetry(): Omit<TelemetryBody, 'faults' | 'warnings' | 'uptimeS' | 'rssiDbm'>;
  /** Kind-specific commands; the common ones (ping, identify, ...) are handled by the device. */
  command(body: CommandBody, fx: ModelEffects): AckBody | undefined;
  /** Opens or closes a door/compartment; false when there is no such opening. Undefined id = the first. */
  setOpen(id: string | undefined, open: boolean): boolean;
  /** Small random drift of readings between reports. */
  drift(rng: Rng): void;
}
