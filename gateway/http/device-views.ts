import type * as z from 'zod';
import { adapterFor } from '../../devices/registry.ts';
import type { LiveDevice } from '../health/live-device.ts';
import type { DeviceRecord } from '../store/device-repo.ts';
import { iso, type DeviceDetailSchema, type DeviceSummarySchema } from './schemas.ts';

/** One device as lists show it: registry record plus live health. */
export function deviceSummary(d: DeviceRecord, live: LiveDevice | undefined): z.infer<typeof DeviceSummarySchema> {
  const adapter = adapterFor(d.kind);
  const caps = adapter.capabilitiesSchema.safeParse(d.capabilities);
  return {
    id: d.id,
    kind: d.kind,
    kindLabel: adapter.label,
    name: d.name,
    disabled: d.disabled,
    online: live?.presence === 'online',
    status: live?.verdict.status ?? 'unknown',
    reasons: live?.verdict.reasons ?? [],
    firmware: live?.firmware ?? d.firmware,
    lastSeenAt: iso(live?.lastSeenAt ?? d.lastSeenAt),
    summary: caps.success ? adapter.summarize(caps.data) : {},
  };
}

export function deviceDetail(d: DeviceRecord, live: LiveDevice | undefined): z.infer<typeof DeviceDetailSchema> {
  return {
    ...deviceSummary(d, live),
    capabilities: d.capabilities,
    commands: [...adapterFor(d.kind).commands],
    telemetry: live?.telemetry ?? null,
    telemetryAt: iso(live?.telemetryAt),
    session: {
      connected: live?.connected ?? false,
      address: live?.address ?? null,
      bdSeq: live?.bdSeq ?? null,
      heartbeatS: live?.heartbeatS ?? 30,
      startedAt: iso(live?.sessionStartedAt),
      seqGaps: live?.seqGaps ?? 0,
      duplicates: live?.duplicates ?? 0,
      badMessages: live?.badMessages ?? 0,
    },
    createdAt: new Date(d.createdAt).toISOString(),
    secretRotatedAt: new Date(d.secretRotatedAt).toISOString(),
  };
}
