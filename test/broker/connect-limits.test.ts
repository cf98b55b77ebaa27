import { afterEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../gateway/security/secret-hash.ts';
import { BrokerHarness, secretOf } from './harness.ts';
import { connectPacket, RawConnection } from './raw-mqtt.ts';

/** The CONNACK return code of one CONNECT with `username` as client id too, sent from `from`. */
async function attempt(
  h: BrokerHarness,
  from: string,
  username: string,
  password: string,
  clientId = username,
): Promise<number> {
  const raw = await RawConnection.open(h.port, from);
  raw.write(connectPacket({ clientId, username, password }));
  const code = await raw.connack();
  raw.destroy();
  return code;
}

describe('CONNECT limits through the broker', () => {
  let h: BrokerHarness;
  afterEach(() => h.stop());

  it('refuses an empty client id with cleanSession=0 (aedes#1095): CONNACK 2, then closes [MQTT-3.1.3-8]', async () => {
    h = await new BrokerHarness().start();
    const raw = await RawConnection.open(h.port);
    raw.write(connectPacket({ clientId: '', username: 'locker-01', password: 'secret-of-locker-01', clean: false }));
    expect(await raw.connack()).toBe(2);
    await raw.closed;
    expect(h.logs.some((l) => l.msg === 'connection refused: empty client id')).toBe(true);
    expect(h.registry.calls).toBe(0);
  });

  it(
    'locks out after maxFailures bad secrets: ' + 'then even the right one is refused, unchecked, until lockS passes',
    async () => {
      h = await new BrokerHarness({ lockout: { maxFailures: 3, windowS: 60, lockS: 300 } }).start();
      for (let i = 0; i < 3; i++) expect(await h.refusal(h.deviceOptions('locker-01', { password: 'guess' }))).toBe(4);
      expect(h.warnings()).toContain('username at this address locked out for 300 s after 3 failed logins within 60 s');
      const checks = h.registry.calls;
      expect(await h.refusal(h.deviceOptions('locker-01'))).toBe(5);
      expect(h.registry.calls).toBe(checks); // no scrypt work while locked
      expect(h.broker.stats()).toMatchObject({ authFailures: 3, lockedOut: 1 });
      // the address failed as often as the username there, so both are locked; the unit tests tell them apart
      expect(h.warnings()).toContain('connection refused: address locked out after failed logins');
      h.clock.advance(299_000);
      expect(await h.refusal(h.deviceOptions('locker-01'))).toBe(5);
      h.clock.advance(1_000);
      await h.connectDevice('locker-01');
    },
  );

  it('locks out an address guessing across device ids', async () => {
    h = await new BrokerHarness({ lockout: { maxFailures: 3, windowS: 60, lockS: 60 } }).start();
    for (const id of ['locker-01', 'vm-01', 'door-01'])
      expect(await h.refusal(h.deviceOptions(id, { password: 'guess' }))).toBe(4);
    expect(await h.refusal(h.deviceOptions('scan-01'))).toBe(5);
    expect(h.warnings()).toContain('connection refused: address locked out after failed logins');
    h.clock.advance(60_000);
    await h.connectDevice('scan-01');
  });

  it(
    'wrong secrets from one address lock that address and the id there, ' +
      'never the device’s right secret from elsewhere',
    async () => {
      h = await new BrokerHarness({ lockout: { maxFailures: 5, windowS: 300, lockS: 300 } }).start();
      h.registry.secrets.set('door-02', secretOf('door-02'));
      for (let i = 0; i < 5; i++) expect(await attempt(h, '127.0.0.3', 'door-02', 'guess')).toBe(4);
      expect(h.warnings()).toContain(
        'username at this address locked out for 300 s after 5 failed logins within 300 s',
      );
      const checks = h.registry.calls;
      expect(await attempt(h, '127.0.0.3', 'door-02', secretOf('door-02'))).toBe(5);
      expect(await attempt(h, '127.0.0.3', 'locker-01', secretOf('locker-01'))).toBe(5); // the address itself is locked
      expect(h.registry.calls).toBe(checks);
      // the real door-02, from its own address, is not affected
      expect(await attempt(h, '127.0.0.1', 'door-02', secretOf('door-02'))).toBe(0);
      expect(h.broker.stats()).toMatchObject({ authFailures: 5, lockedOut: 2 });
    },
  );

  it('the same for integration accounts: a guesser elsewhere never locks the integration out', async () => {
    const hash = await hashSecret('integration-password-1');
    h = await new BrokerHarness({
      lockout: { maxFailures: 3, windowS: 300, lockS: 300 },
      integrations: [{ username: 'integration-ha', passwordHash: hash, subscribe: ['linli/v1/dev/+/state'] }],
    }).start();
    for (let i = 0; i < 3; i++) expect(await attempt(h, '127.0.0.3', 'integration-ha', 'guess')).toBe(4);
    expect(await attempt(h, '127.0.0.3', 'integration-ha', 'integration-password-1')).toBe(5);
    expect(await attempt(h, '127.0.0.1', 'integration-ha', 'integration-password-1')).toBe(0);
  });

  it(
    'rate-limits connection attempts per address with CONNACK 3 ' + '(token bucket), refilling over the minute',
    async () => {
      h = await new BrokerHarness({ connectsPerMinutePerAddress: 3 }).start();
      for (let i = 0; i < 3; i++) (await h.connectDevice('locker-01')).end(true);
      expect(await h.refusal(h.deviceOptions('vm-01'))).toBe(3);
      expect(h.broker.stats().rateLimited).toBe(1);
      expect(h.registry.calls).toBe(3);
      h.clock.advance(20_000); // 3 per minute: one token every 20 s
      await h.connectDevice('vm-01');
      expect(await h.refusal(h.deviceOptions('door-01'))).toBe(3);
    },
  );

  it('refuses CONNECTs beyond maxConnections with CONNACK 3, and accepts again once one leaves', async () => {
    h = await new BrokerHarness({ maxConnections: 2 }).start();
    const a = await h.connectDevice('locker-01');
    await h.connectDevice('vm-01');
    expect(await h.refusal(h.deviceOptions('door-01'))).toBe(3);
    expect(h.warnings()).toContain('connection refused: connection limit of 2 reached');
    a.end();
    await h.closed(a);
    await h.presenceEvent((e) => e.type === 'disconnected' && e.deviceId === 'locker-01');
    await h.connectDevice('door-01');
  });

  it(
    'refuses a CONNECT without keepalive, or above keepaliveLimitS: ' + 'presence depends on it [MQTT-3.1.2-24]',
    async () => {
      h = await new BrokerHarness({ keepaliveLimitS: 60 }).start();
      await expect(h.connectDevice('locker-01', { keepalive: 0 })).rejects.toThrow();
      await expect(h.connectDevice('locker-01', { keepalive: 61 })).rejects.toThrow();
      await h.connectDevice('locker-01', { keepalive: 60 });
    },
  );

  it('answers "server unavailable" when the credential check fails, and logs it', async () => {
    h = await new BrokerHarness().start();
    h.registry.checkDevice = () => Promise.reject(new Error('database is locked'));
    expect(await h.refusal(h.deviceOptions('locker-01'))).toBe(3);
    expect(h.logs.some((l) => l.level === 50 && l.msg.includes('credential check failed'))).toBe(true);
  });

  it('never logs a secret', async () => {
    h = await new BrokerHarness({ lockout: { maxFailures: 2, windowS: 60, lockS: 60 } }).start();
    await h.refusal(h.deviceOptions('locker-01', { password: 'guess-123' }));
    await h.connectDevice('vm-01');
    const text = JSON.stringify(h.logs);
    expect(text).not.toContain('guess-123');
    expect(text).not.toContain('secret-of-vm-01');
  });
});
