import { describe, expect, it } from 'vitest';
import { AUTH_STEPS, authenticate, type AuthDeps, type AuthRequest } from '../../broker/src/auth/authenticate.ts';
import { integrationOwning } from '../../broker/src/auth/accounts.ts';
import { Lockout } from '../../broker/src/limits/lockout.ts';
import type { DeviceCredentialCheck } from '../../broker/src/types.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import type { IntegrationAccount } from '../../gateway/config/schema.ts';

const integrations: IntegrationAccount[] = [
  { username: 'integration-ha', passwordHash: 'scrypt$fake$ha-pass', subscribe: ['linli/v1/dev/+/state'] },
  { username: 'integration-ha-lab', passwordHash: 'scrypt$fake$lab-pass', subscribe: ['linli/v1/#'] },
];

function setup() {
  const clock = new ManualClock();
  const devices = new Map([
    ['locker-01', { secret: 's3cret', disabled: false }],
    ['vm-01', { secret: 'vm-secret', disabled: true }],
  ]);
  const checked: string[] = [];
  const credentials: DeviceCredentialCheck = {
    async checkDevice(id, secret) {
      checked.push(id);
      const d = devices.get(id);
      if (!d) return 'unknown_device';
      if (d.disabled) return 'disabled';
      return secret.toString() === d.secret ? 'ok' : 'bad_credentials';
    },
  };
  const lockout = () =>
    new Lockout({ maxFailures: 3, windowMs: 60_000, lockMs: 300_000, maxKeys: 100 }, () => clock.monotonic());
  const verified: string[] = [];
  const deps: AuthDeps = {
    integrations,
    credentials,
    verifySecret: async (secret, hash) => {
      verified.push(hash);
      return hash === `scrypt$fake$${secret.toString()}`;
    },
    byUsernameAtAddress: lockout(),
    byAddress: lockout(),
  };
  return { clock, deps, checked, verified };
}

const device = (over: Partial<AuthRequest> = {}): AuthRequest => ({
  clientId: 'locker-01',
  username: 'locker-01',
  password: Buffer.from('s3cret'),
  cleanSession: true,
  willTopic: 'linli/v1/dev/locker-01/up/death',
  address: '10.0.0.7',
  ...over,
});

describe('authenticate: the CONNECT checks', () => {
  it('runs its steps in a fixed, named order, the secret last', () => {
    expect(AUTH_STEPS.map(([name]) => name)).toEqual([
      'clientIdPresent',
      'clientIdLength',
      'cleanSessionOnly',
      'credentialsPresent',
      'addressNotLocked',
      'usernameAtAddressNotLocked',
      'identity',
      'secret',
    ]);
  });

  it.each<[string, Partial<AuthRequest>, number, string]>([
    ['empty client id (aedes#1095)', { clientId: '' }, 2, 'refused'],
    ['client id too long', { clientId: 'x'.repeat(65) }, 2, 'refused'],
    ['persistent session', { cleanSession: false }, 2, 'refused'],
    ['no username', { username: undefined }, 5, 'refused'],
    ['no password', { password: undefined }, 5, 'refused'],
    ['spoofed client id [FWP-1.3]', { clientId: 'locker-02' }, 2, 'refused'],
    ['username not a device id', { username: 'Locker 01', clientId: 'Locker 01' }, 5, 'failure'],
    ['will on another topic', { willTopic: 'linli/v1/dev/locker-01/up/telemetry' }, 5, 'refused'],
    ['will for another device', { willTopic: 'linli/v1/dev/locker-02/up/death' }, 5, 'refused'],
    ['wrong secret', { password: Buffer.from('nope') }, 4, 'failure'],
    ['unknown device', { username: 'door-99', clientId: 'door-99', willTopic: undefined }, 5, 'failure'],
    [
      'disabled device',
      { username: 'vm-01', clientId: 'vm-01', password: Buffer.from('vm-secret'), willTopic: undefined },
      5,
      'refused',
    ],
  ])('%s → return code %i (%s)', async (_name, over, code, kind) => {
    const { deps } = setup();
    expect(await authenticate(device(over), deps)).toMatchObject({ ok: false, code, kind });
  });

  it('accepts a device with its own id, secret, clean session and death will', async () => {
    const { deps } = setup();
    expect(await authenticate(device(), deps)).toEqual({
      ok: true,
      principal: { kind: 'device', deviceId: 'locker-01' },
    });
    expect(await authenticate(device({ willTopic: undefined }), deps)).toMatchObject({ ok: true });
  });

  it('refusals by identity or session never reach the (scrypt) secret check', async () => {
    const { deps, checked } = setup();
    await authenticate(device({ clientId: 'locker-02' }), deps);
    await authenticate(device({ cleanSession: false }), deps);
    await authenticate(device({ username: undefined }), deps);
    expect(checked).toEqual([]);
  });

  it(
    'locks a username at an address after maxFailures, ' +
      'refusing even the right secret there without checking it, until lockS passes',
    async () => {
      const { deps, checked, clock } = setup();
      const wrong = device({ password: Buffer.from('nope') });
      expect(await authenticate(wrong, deps)).toMatchObject({ code: 4 });
      expect(await authenticate(wrong, deps)).toMatchObject({ code: 4 });
      expect(await authenticate(wrong, deps)).toMatchObject({ code: 4, lockedNow: 'username@address' });
      checked.length = 0;
      expect(await authenticate(device(), deps)).toMatchObject({ ok: false, code: 5, kind: 'locked' });
      expect(checked).toEqual([]);
      clock.advance(300_000);
      expect(await authenticate(device(), deps)).toMatchObject({ ok: true });
    },
  );

  it('failures from other addresses never lock the account out where its own logins come from', async () => {
    const { deps } = setup();
    const wrong = device({ password: Buffer.from('nope') });
    for (const address of ['10.0.0.8', '10.0.0.9', '10.0.0.10']) {
      for (let i = 0; i < 3; i++) await authenticate({ ...wrong, address }, deps);
    }
    expect(deps.byUsernameAtAddress.lockedFor('locker-01@10.0.0.8')).toBeGreaterThan(0);
    expect(await authenticate(device(), deps)).toMatchObject({ ok: true });
    // a locked username at one address does not lock the address
    // for other accounts either, unless it failed there itself
    expect(await authenticate(device({ address: '10.0.0.11' }), deps)).toMatchObject({ ok: true });
  });

  it('locks an address guessing across usernames; other addresses are unaffected', async () => {
    const { deps } = setup();
    for (const id of ['door-1', 'door-2'])
      await authenticate(device({ username: id, clientId: id, willTopic: undefined }), deps);
    expect(
      await authenticate(device({ username: 'door-3', clientId: 'door-3', willTopic: undefined }), deps),
    ).toMatchObject({ lockedNow: 'address' });
    expect(await authenticate(device(), deps)).toMatchObject({
      ok: false,
      code: 5,
      kind: 'locked',
      why: expect.stringContaining('address'),
    });
    expect(await authenticate(device({ address: '10.0.0.99' }), deps)).toMatchObject({ ok: true });
  });

  it('a success clears the failures of the username at that address, not the address failures', async () => {
    const { deps } = setup();
    const wrong = device({ password: Buffer.from('nope') });
    await authenticate(wrong, deps);
    await authenticate(wrong, deps);
    await authenticate({ ...wrong, address: '10.0.0.8' }, deps);
    await authenticate(device(), deps);
    expect(deps.byUsernameAtAddress.failuresOf('locker-01@10.0.0.7')).toBe(0);
    expect(deps.byUsernameAtAddress.failuresOf('locker-01@10.0.0.8')).toBe(1);
    expect(deps.byAddress.failuresOf('10.0.0.7')).toBe(2);
  });

  it('a username too long to be an account is no lockout key (bounded memory), the address still counts', async () => {
    const { deps } = setup();
    const long = 'a'.repeat(5000);
    await authenticate(device({ username: long, clientId: 'x' }), deps);
    expect(deps.byUsernameAtAddress.size.failing).toBe(0);
    expect(deps.byAddress.failuresOf('10.0.0.7')).toBe(1);
  });

  it('a throwing credential check propagates (the hook answers "server unavailable")', async () => {
    const { deps } = setup();
    deps.credentials = { checkDevice: () => Promise.reject(new Error('db down')) };
    await expect(authenticate(device(), deps)).rejects.toThrow('db down');
  });
});

describe('authenticate: integration accounts', () => {
  const ha = (over: Partial<AuthRequest> = {}): AuthRequest => ({
    clientId: 'integration-ha-1',
    username: 'integration-ha',
    password: Buffer.from('ha-pass'),
    cleanSession: true,
    willTopic: undefined,
    address: '10.0.0.20',
    ...over,
  });

  it('accepts its username as client id, or username-suffix; with its configured filters', async () => {
    const { deps } = setup();
    expect(await authenticate(ha(), deps)).toEqual({
      ok: true,
      principal: { kind: 'integration', username: 'integration-ha', subscribe: ['linli/v1/dev/+/state'] },
    });
    expect(await authenticate(ha({ clientId: 'integration-ha' }), deps)).toMatchObject({ ok: true });
  });

  it.each<[string, Partial<AuthRequest>, number]>([
    ['wrong password', { password: Buffer.from('nope') }, 4],
    ['unknown account', { username: 'integration-nope', clientId: 'integration-nope' }, 5],
    ['client id of another account', { clientId: 'integration-ha-lab-1' }, 2],
    ['client id not its own', { clientId: 'locker-01' }, 2],
    ['a will', { willTopic: 'linli/v1/dev/x/up/death' }, 5],
    ['persistent session', { cleanSession: false }, 2],
  ])('%s → return code %i', async (_name, over, code) => {
    const { deps } = setup();
    expect(await authenticate(ha(over), deps)).toMatchObject({ ok: false, code });
  });

  it('client ids belong to the longest matching account name', () => {
    expect(integrationOwning('integration-ha-lab-1', integrations)?.username).toBe('integration-ha-lab');
    expect(integrationOwning('integration-ha-1', integrations)?.username).toBe('integration-ha');
    expect(integrationOwning('integration-hass', integrations)).toBeUndefined();
  });
});
