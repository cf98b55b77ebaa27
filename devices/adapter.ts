import type * as z from 'zod';

/** One problem a device has, as health evaluation reports it. `code` is stable; `message` is for people. */
export interface HealthFinding {
  severity: 'fault' | 'degraded';
  code: string;
  message: string;
}

/** Something with a door: a locker compartment, a reader's door, a vending machine's service door. */
export interface Opening {
  id: string;
  state: 'open' | 'closed' | 'unknown';
}

/** Thresholds a kind's evaluation may read; the gateway passes its health config. */
interface KindHealthLimits {
  vendingMaxTemperatureC: number;
  doorOpenAlertS: number;
}

/** A kind's health rules and headline figures: pure functions of what its devices report. */
export interface KindHealth<Caps = unknown, Telemetry = unknown> {
  /** Used at provisioning until the device's birth reports its real capabilities. */
  readonly defaultCapabilities: Caps;
  /** The doors in a telemetry report, so the gateway can time how long each stays open. */
  openings(telemetry: Telemetry): Opening[];
  /**
   * Kind-specific findings from the latest telemetry (common faults/warnings are handled by the core),
   * read against what the device said it is in its birth (undefined before any birth). Pure.
   */
  evaluate(telemetry: Telemetry, limits: KindHealthLimits, capabilities?: Caps): HealthFinding[];
  /** A few headline figures for lists and dashboards, e.g. { compartments: 24 }. */
  summarize(capabilities: Caps): Record<string, string | number | boolean>;
}

/**
 * What the gateway needs to know about one device kind, put together by the registry from the kind's
 * wire contract and health rules. Capabilities are data: the API, the health evaluation and the
 * simulator read them instead of switching on the kind.
 */
export interface DeviceAdapter<Caps = unknown, Telemetry = unknown> extends KindHealth<Caps, Telemetry> {
  readonly kind: string;
  /** Human name, e.g. "Parcel locker". */
  readonly label: string;
  readonly capabilitiesSchema: z.ZodType<Caps>;
  readonly telemetrySchema: z.ZodType<Telemetry>;
  /** The commands the kind implements [FWP-9.2]. */
  readonly commands: readonly string[];
}
