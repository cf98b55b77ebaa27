import { afterEach, describe, expect, it } from 'vitest';
import { LOG_LINES_PER_KEY, LOG_WINDOW_MS } from '../../broker/src/core.ts';
import { BrokerHarness, secretOf } from './harness.ts';
import { connectPacket, RawConnection, subscribePacket } from './raw-mqtt.ts';

const FILTERS = 5000;

describe('one client cannot flood the log', () => {
  let h: BrokerHarness;
  afterEach(() => h.stop());

  const lines = (msg: string) => h.logs.filter((l) => l.level === 40 && l.msg === msg);

  it(
    `a SUBSCRIBE with ${FILTERS} refused filters writes ${LOG_LINES_PER_KEY} warnings, ` +
      'then one summary with the count',
    async () => {
      h = await new BrokerHarness().start();
      const raw = await RawConnection.open(h.port);
      raw.write(connectPacket({ clientId: 'door-01', username: 'door-01', password: secretOf('door-01') }));
      expect(await raw.connack()).toBe(0);
      raw.write(
        subscribePacket(
          1,
          Array.from({ length: FILTERS }, (_, i) => `x/${i}`),
        ),
      );
      const suback = await raw.packet(9);
      expect(suback.length).toBe(2 + FILTERS);
      expect(suback.subarray(2).every((code) => code === 0x80)).toBe(true);
      expect(h.broker.stats().refusedSubscribes).toBe(FILTERS);
      expect(lines('subscription refused (SUBACK 0x80)')).toHaveLength(LOG_LINES_PER_KEY);
      expect(h.logs.filter((l) => l.level === 40)).toHaveLength(LOG_LINES_PER_KEY);

      // the next window: the count comes first, with the next line let through
      h.clock.advance(LOG_WINDOW_MS);
      raw.write(subscribePacket(2, ['y/1']));
      await raw.packet(9);
      const summaries = h.logs.filter((l) => l.msg.endsWith('similar messages suppressed'));
      expect(summaries).toHaveLength(1);
      expect(summaries[0]).toMatchObject({
        level: 40,
        msg: `${FILTERS - LOG_LINES_PER_KEY} similar messages suppressed`,
        suppressed: FILTERS - LOG_LINES_PER_KEY,
      });
      expect(lines('subscription refused (SUBACK 0x80)')).toHaveLength(LOG_LINES_PER_KEY + 1);
    },
  );

  it('refused connections from one address: a few lines, the rest counted and summarised at stop', async () => {
    h = await new BrokerHarness({ connectsPerMinutePerAddress: 1000 }).start();
    for (let i = 0; i < 40; i++) {
      const raw = await RawConnection.open(h.port);
      raw.write(connectPacket({ clientId: 'vm-01', username: 'vm-01', password: secretOf('vm-01'), keepalive: 0 }));
      expect(await raw.connack()).toBe(2);
      raw.destroy();
    }
    expect(h.logs.filter((l) => l.level === 40 && l.msg.startsWith('connection refused'))).toHaveLength(
      LOG_LINES_PER_KEY,
    );
    await h.broker.stop();
    expect(h.logs.filter((l) => l.msg === `${40 - LOG_LINES_PER_KEY} similar messages suppressed`)).toHaveLength(1);
  });
});
