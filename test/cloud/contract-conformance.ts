import { expect } from 'vitest';
import type { OutboxRepo } from '../../gateway/cloud/outbox-repo.ts';
import type { CloudTwin } from '../../sim/src/cloud-twin.ts';

/**
 * The cloud contract (gateway/cloud/CLOUD-PROTOCOL.md) was kept: the simulated cloud received nothing
 * from a gateway that breaks it, and the gateways' outboxes wrote no event that breaks it.
 */
export function expectCloudContractKept(twin: CloudTwin, ...outboxes: (OutboxRepo | undefined)[]): void {
  expect(twin.invalidMessages, 'messages from gateways that break CLOUD-PROTOCOL.md').toEqual([]);
  expect(twin.invalid).toBe(0);
  for (const outbox of outboxes)
    expect(outbox?.invalidEvents().byKind ?? {}, 'events written that break CLOUD-PROTOCOL.md').toEqual({});
}
