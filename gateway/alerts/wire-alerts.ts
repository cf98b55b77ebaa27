import type { Clock } from '../core/clock.ts';
import type { ClockHealth } from '../core/clock-health.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/log.ts';
import type { GatewayEvents } from '../gateway-events.ts';
import type { BatchWriter } from '../store/batch-writer.ts';
import type { Store } from '../store/store.ts';
import type { CloudLinkStatus } from '../cloud/cloud-link.ts';
import type { OutboxPort } from '../cloud/outbox-port.ts';
import { AlertRepo } from './alert-repo.ts';
import { deviceConditions, deviceSource, gatewayConditions } from './alert-rules.ts';
import { AlertService } from './alert-service.ts';
import { AlertWebhooks } from './webhooks/webhook-sender.ts';
import type { Config } from '../config/schema.ts';

/** How often the gateway's own conditions are looked at: they change slowly, and each look is cheap. */
const GATEWAY_CHECK_MS = 5000;

/**
 * Alerts from what the gateway already hears: every device health change, the kinds' event alerts, a
 * deleted device, and (on the housekeeping tick) the gateway's own state. Each transition goes on the bus
 * as `alert.changed` for the console's stream, webhooks and metrics.
 */
export function wireAlerts(d: {
  bus: EventBus<GatewayEvents>;
  store: Pick<Store, 'db' | 'reader' | 'devices'>;
  writer: Pick<BatchWriter, 'submit'>;
  clock: Clock;
  log: Logger;
  cloud: () => { status(): CloudLinkStatus } | undefined;
  clockHealth: Pick<ClockHealth, 'status'>;
  hotlistStale: () => boolean;
  /** A restored database's recovery from the cloud is not complete [CLP-5.12]. */
  restorePending?: () => boolean;
  config: { alerts: Pick<Config['alerts'], 'cloudDownAlertS' | 'webhooks'>; gateway: Pick<Config['gateway'], 'name'> };
  outbox: OutboxPort | undefined;
}): { service: AlertService; webhooks: AlertWebhooks; tick(): void } {
  const log = d.log.child({ component: 'alerts' });
  const service = new AlertService({
    repo: new AlertRepo(d.store.db, d.store.reader),
    writer: d.writer,
    clock: d.clock,
    log,
    notify: (n) => d.bus.emit('alert.changed', n),
    nameOf: (id) => d.store.devices.get(id)?.name ?? undefined,
    outbox: d.outbox,
  });
  service.load();
  d.bus.on('device.health', (c) => {
    // after a restart a device is "awaiting" until it had time to come back: what it had stays open meanwhile
    if (c.verdict.reasons.some((r) => r.code === 'AWAITING_RECONNECT')) return;
    service.reconcile(deviceSource(c.deviceId), deviceConditions(c.deviceId, c.verdict));
  });
  d.bus.on('alert.raised', (a) =>
    service.raiseEvent({ deviceId: a.deviceId, code: a.code, severity: 'critical', message: a.message }),
  );
  d.bus.on('device.revoked', (r) => {
    if (r.why === 'removed') service.forgetDevice(r.id);
  });
  // alerts leave the box to the staff's group chats; never in the way of anything else
  const webhooks = new AlertWebhooks({
    config: d.config.alerts.webhooks,
    log: d.log.child({ component: 'alert-webhooks' }),
    clock: d.clock,
    communityName: d.config.gateway.name,
  });
  d.bus.on('alert.changed', (n) => webhooks.notify(n));

  let lastCheck = Number.NEGATIVE_INFINITY;
  let cloudDownSince: number | undefined = d.clock.monotonic();
  const tick = () => {
    const now = d.clock.monotonic();
    if (now - lastCheck < GATEWAY_CHECK_MS) return;
    lastCheck = now;
    const status = d.cloud()?.status();
    if (status?.connected) cloudDownSince = undefined;
    else cloudDownSince ??= now;
    const clock = d.clockHealth.status();
    service.reconcile(
      'gateway:',
      gatewayConditions({
        cloud: status
          ? {
              connected: status.connected,
              downForMs: cloudDownSince === undefined ? 0 : now - cloudDownSince,
              overBudget: status.overBudget,
              backlogEvents: status.backlog.reduce((n, b) => n + b.events, 0),
            }
          : undefined,
        cloudDownAlertMs: d.config.alerts.cloudDownAlertS * 1000,
        clock: { state: clock.state, offsetMs: clock.offsetMs },
        hotlistStale: status ? d.hotlistStale() : false,
        restorePending: d.restorePending?.() ?? false,
      }),
    );
  };
  return { service, webhooks, tick };
}
