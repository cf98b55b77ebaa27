import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/log.ts';
import { TurnBudget } from '../core/turn-budget.ts';
import type { GatewayEvents } from '../gateway-events.ts';
import type { Store } from '../store/store.ts';
import { DeviceMonitor } from './device-monitor.ts';
import { HealthSink } from './health-sink.ts';

/** Milliseconds per event-loop turn for recording and publishing verdicts. */
const BACKGROUND_BUDGET_MS = 2;

type HealthSinkArgs = ConstructorParameters<typeof HealthSink>;

/** The device monitor (verdicts in memory) and the sink that stores and publishes them, wired to the bus. */
export interface DeviceHealth {
  monitor: DeviceMonitor;
  health: HealthSink;
  /**
   * Once the broker answers: records the verdicts every known device got while the gateway was built and
   * publishes every device's retained state, a turn's budget at a time.
   */
  announce(): void;
}

/**
 * Builds the monitor and the sink, tracks every device in the registry, and records every verdict the
 * bus carries. The first verdicts of every known device ("waiting for it to reconnect") and the retained
 * state of each are written and published only once the broker answers, a small share of each turn at a
 * time: at a box's start they are a row and a publish each for a thousand devices, which would otherwise
 * delay the first CONNACK by tens of milliseconds. Every verdict goes through that same queue (one of its
 * own: a CONNECT never waits behind a thousand rows of history), so a device's later verdicts are never
 * written or published before its first.
 */
export function wireDeviceHealth(d: {
  config: Config;
  clock: Clock;
  log: Logger;
  bus: EventBus<GatewayEvents>;
  store: Store;
  writer: HealthSinkArgs[1];
  publisher: HealthSinkArgs[2];
  outbox: HealthSinkArgs[4];
}): DeviceHealth {
  const { clock, bus, store } = d;
  const health = new HealthSink(
    store.health,
    d.writer,
    d.publisher,
    d.log.child({ component: 'health' }),
    d.outbox,
    () => clock.monotonic(),
  );
  const monitor = new DeviceMonitor(d.config.health, clock, (change) => bus.emit('device.health', change));
  let startVerdicts: (() => void)[] | undefined = [];
  // background work: a small share of each turn, so a thousand of them never delay a CONNECT much
  const verdicts = new TurnBudget(BACKGROUND_BUDGET_MS, () => clock.monotonic());
  bus.on('device.health', (change) => {
    const telemetry = monitor.get(change.deviceId)?.telemetry;
    const record = () => health.record(change, telemetry);
    if (startVerdicts) startVerdicts.push(record);
    else verdicts.run(record);
  });
  for (const dev of store.devices.list())
    monitor.track(dev.id, dev.kind, dev.disabled, dev.lastSeenAt, 'gateway_start');
  return {
    monitor,
    health,
    announce: () => {
      health.startPublishing();
      const held = startVerdicts ?? [];
      startVerdicts = undefined;
      for (const record of held) verdicts.run(record);
      // every device's state, also one whose verdict did not change while the gateway was built
      for (const change of monitor.snapshot()) verdicts.run(() => health.publishAll([change]));
    },
  };
}
