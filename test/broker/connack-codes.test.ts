import { afterEach, describe, expect, it } from 'vitest';
import { BrokerHarness, secretOf } from './harness.ts';
import { connectPacket, RawConnection } from './raw-mqtt.ts';

const KEEPALIVE_LIMIT_S = 60;

/** Only the return codes MQTT 3.1.1 defines [MQTT-3.2.2.3]: aedes' own 6 must never reach a device. */
const DEFINED = [0, 1, 2, 3, 4, 5];

describe('CONNACK return codes for refused CONNECT parameters', () => {
  let h: BrokerHarness;
  afterEach(() => h.stop());

  const send = async (
    o: Partial<Parameters<typeof connectPacket>[0]>,
  ): Promise<{ code: number; raw: RawConnection }> => {
    const raw = await RawConnection.open(h.port);
    raw.write(connectPacket({ clientId: 'locker-01', username: 'locker-01', password: secretOf('locker-01'), ...o }));
    const code = await raw.connack();
    expect(DEFINED).toContain(code);
    return { code, raw };
  };

  it.each([
    ['keepalive 0', 0],
    ['keepalive above keepaliveLimitS', KEEPALIVE_LIMIT_S + 1],
    ['keepalive 65535', 65_535],
  ])('%s → 2 "identifier rejected" (not aedes’ undefined 6), then closes [MQTT-3.1.2-24]', async (_what, keepalive) => {
    h = await new BrokerHarness({ keepaliveLimitS: KEEPALIVE_LIMIT_S }).start();
    const { code, raw } = await send({ keepalive });
    expect(code).toBe(2);
    await raw.closed;
    expect(h.registry.calls).toBe(0); // refused before any credential work
    expect(h.warnings()).toContain(
      `connection refused: keepalive ${keepalive} s (1 to ${KEEPALIVE_LIMIT_S} s required)`,
    );
  });

  it('keepalive 1 and keepaliveLimitS itself are accepted', async () => {
    h = await new BrokerHarness({ keepaliveLimitS: KEEPALIVE_LIMIT_S }).start();
    expect((await send({ keepalive: KEEPALIVE_LIMIT_S })).code).toBe(0);
    expect((await send({ keepalive: 1 })).code).toBe(0);
  });

  it('MQTT 3.1 ("MQIsdp", level 3) → 1 "unacceptable protocol version", then closes [MQTT-3.1.2-2]', async () => {
    h = await new BrokerHarness().start();
    const { code, raw } = await send({ protocol: { name: 'MQIsdp', level: 3 } });
    expect(code).toBe(1);
    await raw.closed;
    expect(h.registry.calls).toBe(0);
    expect(h.broker.isConnected('locker-01')).toBe(false);
  });

  it('MQTT 5 → 1 as well', async () => {
    h = await new BrokerHarness().start();
    const { code, raw } = await send({ protocol: { name: 'MQTT', level: 5 } });
    expect(code).toBe(1);
    await raw.closed;
  });

  it('a refused protocol level wins over a refused keepalive: the client must change its library first', async () => {
    h = await new BrokerHarness({ keepaliveLimitS: KEEPALIVE_LIMIT_S }).start();
    expect((await send({ protocol: { name: 'MQIsdp', level: 3 }, keepalive: 0 })).code).toBe(1);
  });
});
