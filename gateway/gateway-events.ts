import type { PresenceEvent } from '../broker/src/types.ts';
import type { AlertNotice } from './alerts/alert-types.ts';
import type { HealthChange } from './health/device-monitor.ts';
import type { DeviceRecord } from './store/device-repo.ts';

/** The events the gateway's parts tell each other over its bus. */
export interface GatewayEvents extends Record<string, unknown> {
  /** A device was provisioned or changed, here or by another process (the CLI) on the same database. */
  'device.registered': { device: DeviceRecord; elsewhere: boolean };
  /** A device's credentials stopped working: disabled, rotated or removed. */
  'device.revoked': { id: string; why: 'disabled' | 'rotated' | 'removed'; elsewhere: boolean };
  /** A device connected to or left the embedded broker. */
  'device.presence': PresenceEvent;
  /** A device's health verdict changed (stored, published retained, sent to the cloud by the health sink). */
  'device.health': HealthChange;
  /** Money moved for good: a redemption captured, voided, expired or reversed. */
  'redemption.settled': {
    redemptionId: string;
    deviceId: string | undefined;
    state: string;
    payableFen: number;
    savingFen: number;
  };
  /** Something needs a person at once (a charging socket over-heating): logged, and the box's LED blinks. */
  'alert.raised': { deviceId: string; code: string; message: string };
  /** An alert was raised, acknowledged or cleared: for the console's stream, webhooks and metrics. */
  'alert.changed': AlertNotice;
}
