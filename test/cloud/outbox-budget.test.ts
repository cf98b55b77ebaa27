import { describe, expect, it } from 'vitest';
import { CloudLink } from '../../gateway/cloud/cloud-link.ts';
import { OutboxRepo } from '../../gateway/cloud/outbox-repo.ts';
import { CloudConfigSchema } from '../../gateway/config/schema.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

/** The outbox's disk budget: telemetry is sampled, then dropped oldest first; money is never dropped. */
describe('outbox disk budget', () => {
  const setup = () => {
    const tmp = tempDir();
    const store = new Store(tmp.dir);
    const clock = new ManualClock();
    const outbox = new OutboxRepo(store.db, 'gw-t', () => clock.now());
    const alerts: boolean[] = [];
    const link = new CloudLink({
      config: CloudConfigSchema.parse({
        enabled: true,
        outboxBudgetMb: 1,
        signingKeys: [{ kid: 'k', publicKey: 'A'.repeat(43) }],
      }),
      gatewayId: 'gw-t',
      bootId: 'b',
      outbox,
      writer: { submit: async <T>(f: () => T) => f() },
      clock,
      log: silentLogger(),
      onBudget: (over) => alerts.push(over),
    });
    const fill = (stream: 'telemetry' | 'money', n: number, size: number) =>
      store.db.transaction(() => {
        for (let i = 0; i < n; i++) outbox.append(stream, `${stream}.x`, { pad: 'x'.repeat(size), i });
      })();
    return { store, outbox, link, alerts, fill, done: () => (store.close(), tmp.cleanup()) };
  };

  it('drops the oldest telemetry, counted, until under budget; money and the newest telemetry stay', () => {
    const t = setup();
    t.fill('money', 20, 1000);
    t.fill('telemetry', 400, 4000);
    expect(t.outbox.bytes()).toBeGreaterThan(1024 * 1024);
    t.link.enforceBudget();
    expect(t.outbox.bytes()).toBeLessThanOrEqual(1024 * 1024);
    const left = t.outbox.after('telemetry', 0, 1000).map((e) => e.seq);
    expect(left.at(-1)).toBe(400);
    expect(left[0]).toBeGreaterThan(1);
    expect(t.outbox.droppedCount('telemetry')).toBe(400 - left.length);
    expect(t.outbox.after('money', 0, 100)).toHaveLength(20);
    expect(t.alerts).toEqual([]);
    t.done();
  });

  it('past the budget with money alone it keeps everything and raises the critical alert once', () => {
    const t = setup();
    t.fill('money', 300, 4000);
    t.link.enforceBudget();
    t.link.enforceBudget();
    expect(t.outbox.after('money', 0, 1000)).toHaveLength(300);
    expect(t.alerts).toEqual([true]);
    expect(t.link.status().overBudget).toBe(true);
    t.done();
  });

  it('samples telemetry down as the backlog grows', () => {
    const t = setup();
    const written = () => Array.from({ length: 16 }, () => t.link.sampleTelemetry()).filter(Boolean).length;
    expect(written()).toBe(16);
    t.fill('money', 150, 4000); // about 60 % of the budget
    expect(written()).toBe(4);
    t.fill('money', 60, 4000); // past 80 %
    expect(written()).toBe(1);
    t.done();
  });
});
