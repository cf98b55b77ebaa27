import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../gateway/config/schema.ts';
import type { Clock } from '../../gateway/core/clock.ts';
import { EventBus } from '../../gateway/core/event-bus.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import type { GatewayEvents } from '../../gateway/gateway-events.ts';
import { wireDeviceHealth } from '../../gateway/health/device-health-wiring.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

const nextTurns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

describe('device health wiring: the first verdicts after a start, spread over turns, in order', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    tmp = tempDir();
    store = new Store(tmp.dir);
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('writes and publishes nothing before the broker answers, then all of it, no device out of order', async () => {
    const DEVICES = 40;
    for (let i = 0; i < DEVICES; i++)
      store.devices.insert({
        id: `door-${i}`,
        kind: 'door_reader',
        name: null,
        secretHash: 'h',
        capabilities: {},
        now: 1,
      });
    for (let i = 0; i < DEVICES; i++) store.devices.touch(`door-${i}`, 1);
    // every reading of the monotonic clock costs a millisecond: the budget runs out after two jobs a turn
    let mono = 0;
    const clock: Clock = {
      now: () => Date.UTC(2026, 11, 1),
      monotonic: () => (mono += 1),
      every: () => () => undefined,
      later: () => () => undefined,
    } as unknown as Clock;
    const published: { topic: string; state: string }[] = [];
    const writes: number[] = [];
    const bus = new EventBus<GatewayEvents>(silentLogger());
    const wired = wireDeviceHealth({
      config: ConfigSchema.parse({ dataDir: tmp.dir }),
      clock,
      log: silentLogger(),
      bus,
      store,
      writer: {
        submit: <T>(work: () => T) => {
          writes.push(1);
          return Promise.resolve(work());
        },
      },
      publisher: {
        publish: (topic: string, payload: string | Buffer) => {
          published.push({ topic, state: (JSON.parse(String(payload)) as { status: string }).status });
          return Promise.resolve();
        },
      },
      outbox: undefined,
    });
    expect(wired.monitor.all()).toHaveLength(DEVICES);
    expect(writes).toHaveLength(0);
    expect(published).toHaveLength(0);

    wired.announce();
    // a device connects and is born while most first verdicts still wait: its new verdict queues behind
    wired.monitor.connected('door-3', 1, '127.0.0.1');
    wired.monitor.birth('door-3', {
      v: '1.0',
      id: 'b-1',
      ts: 0,
      seq: 0,
      type: 'birth',
      body: {
        kind: 'door_reader',
        bdSeq: 1,
        firmware: '1.0.0',
        heartbeatS: 30,
        capabilities: { doors: [{ id: 'main', hasDoorSensor: true }], readers: ['nfc'] },
      },
    });
    expect(wired.monitor.get('door-3')?.verdict.status).toBe('ok');
    expect(writes.length).toBeLessThan(DEVICES);
    await nextTurns(200);
    const history = store.health.history('door-3', 10).map((h) => h.status);
    // newest first: the birth's verdict written after the start's
    expect(history).toEqual(['ok', 'unknown']);
    expect(writes).toHaveLength(DEVICES + (history.length - 1));
    // every device's retained state is published, and door-3's last publish is its latest verdict
    expect(new Set(published.map((p) => p.topic)).size).toBe(DEVICES);
    const door3 = published.filter((p) => p.topic.includes('door-3'));
    expect(door3.at(-1)?.state).toBe(wired.monitor.get('door-3')?.verdict.status);
  });
});
