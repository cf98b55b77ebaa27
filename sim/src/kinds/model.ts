import type { AckMessage } from '../../../firmware-protocol/src/messages/ack.ts';
import type { ResponseBody } from '../../../firmware-protocol/src/messages/response.ts';
import type { Rng } from '../prng.ts';

export type AckBody = AckMessage['body'];

/** A command as a twin sees it: validated against the protocol's schema before it gets here. */
export interface TwinCommand {
  name: string;
  /** Each twin reads its own commands' arguments with its wire contract's schema. */
  args: Readonly<Record<string, unknown>>;
}

/** The simulated device a kind's own resident behaviour drives (structural: the twin never loads the device). */
export interface TwinDevice {
  readonly id: string;
  readonly model: KindModel;
  readonly connected: boolean;
  /** Connected and its birth sent this session: before that the gateway refuses its requests (NOT_BORN). */
  readonly born: boolean;
  newTxn(): string;
  request(body: { op: string } & Record<string, unknown>, txn: string): Promise<ResponseBody>;
  /** Runs a resident's flow; the fleet knows when every started flow has ended. */
  flow<T>(fn: () => Promise<T>): Promise<T>;
  sendTelemetryNow(): void;
  sendEvent(body: { event: string } & Record<string, unknown>, txn?: string): Promise<void>;
  /** Loses the connection without a goodbye (the broker sends its will); it reconnects by itself. */
  drop(): void;
  /** Sets the cabinet's temperature and reports it at once, as the device would on the change. */
  setTemperature(c: number): void;
  /** Opens or closes a door/compartment (undefined id = the first) and reports it; false when there is none. */
  openDoor(id?: string): boolean;
  closeDoor(id?: string): boolean;
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
