import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import type { Clock } from '../../gateway/core/clock.ts';
import type { Logger } from '../../gateway/core/log.ts';
import type { KindModel } from './kinds/model.ts';
import type { Rng } from './prng.ts';

/** How a simulated device is set up: its identity and credentials, its model, its timing. */
export interface SimDeviceOptions {
  url: string;
  id: string;
  kind: DeviceKind;
  secret: string;
  model?: KindModel;
  /** Spreads scanners over merchants and seeds the readings. */
  index?: number;
  firmware?: string;
  heartbeatS?: number;
  telemetryEveryS?: number;
  keepaliveS?: number;
  clock?: Clock;
  log?: Logger;
  rng?: Rng;
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
}
