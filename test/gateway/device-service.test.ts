import { ImmediateWriter } from '../../gateway/store/immediate-writer.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { DeviceService } from '../../gateway/registry/device-service.ts';
import { StaffTokens, roleAllows } from '../../gateway/security/staff-tokens.ts';
import { hashDeviceSecret, hashSecret, verifySecret } from '../../gateway/security/secret-hash.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

describe('DeviceService', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let revoked: string[];
  let svc: DeviceService;
  beforeEach(() => {
    tmp = tempDir();
    store = new Store(tmp.dir);
    revoked = [];
    svc = new DeviceService(store.devices, new ImmediateWriter(store.db), new ManualClock(), silentLogger(), {
      onRevoked: (id, why) => revoked.push(`${id}:${why}`),
    });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('provisions with a secret shown once, stored only as a salted HMAC (256 random bits need no scrypt)', async () => {
    const { device, secret } = await svc.provision({ id: 'vm-01', kind: 'vending_machine' });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(device.secretHash).toMatch(/^sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(device.secretHash).not.toContain(secret);
    expect(JSON.stringify(store.db.prepare('SELECT * FROM devices').all())).not.toContain(secret);
    expect(await svc.checkDevice('vm-01', Buffer.from(secret))).toBe('ok');
    expect(await svc.checkDevice('vm-01', Buffer.from('wrong'))).toBe('bad_credentials');
    expect(await svc.checkDevice('vm-02', Buffer.from(secret))).toBe('unknown_device');
  });

  it('refuses a duplicate id and invalid input with specific errors', async () => {
    await svc.provision({ id: 'vm-01', kind: 'vending_machine' });
    await expect(svc.provision({ id: 'vm-01', kind: 'door_reader' })).rejects.toMatchObject({ code: 'DEVICE_EXISTS' });
    await expect(svc.provision({ id: 'VM 01', kind: 'door_reader' })).rejects.toThrow(/lower-case/);
    // @ts-expect-error an unknown kind is a runtime input error
    await expect(svc.provision({ id: 'x-1', kind: 'toaster' })).rejects.toThrow();
  });

  it('a device stored with scrypt by an earlier release still connects, and is re-hashed once it has', async () => {
    const { secret } = await svc.provision({ id: 'vm-01', kind: 'vending_machine' });
    const slow = await hashSecret(secret);
    store.devices.setSecret('vm-01', slow, 0);
    expect(await svc.checkDevice('vm-01', Buffer.from('wrong'))).toBe('bad_credentials');
    expect(store.devices.get('vm-01')?.secretHash).toBe(slow);
    expect(await svc.checkDevice('vm-01', Buffer.from(secret))).toBe('ok');
    await new ImmediateWriter(store.db).submit(() => undefined);
    const now = store.devices.get('vm-01')?.secretHash ?? '';
    expect(now).toMatch(/^sha256\$/);
    expect(await verifySecret(secret, now)).toBe(true);
    expect(await svc.checkDevice('vm-01', Buffer.from(secret))).toBe('ok');
    // a rotation between the check and the re-hash wins: the new secret is never overwritten with the old
    expect(store.devices.rehashSecret('vm-01', slow, hashDeviceSecret(secret))).toBe(false);
  });

  it('rotation invalidates the old secret and revokes the connection', async () => {
    const { secret } = await svc.provision({ id: 'door-01', kind: 'door_reader' });
    expect(await svc.checkDevice('door-01', Buffer.from(secret))).toBe('ok');
    const { secret: fresh } = await svc.rotateSecret('door-01');
    expect(revoked).toEqual(['door-01:rotated']);
    expect(await svc.checkDevice('door-01', Buffer.from(secret))).toBe('bad_credentials');
    expect(await svc.checkDevice('door-01', Buffer.from(fresh))).toBe('ok');
  });

  it('a disabled device is refused until enabled', async () => {
    const { secret } = await svc.provision({ id: 'scanner-01', kind: 'shop_scanner' });
    await svc.setDisabled('scanner-01', true);
    expect(revoked).toEqual(['scanner-01:disabled']);
    expect(await svc.checkDevice('scanner-01', Buffer.from(secret))).toBe('disabled');
    await svc.setDisabled('scanner-01', false);
    expect(await svc.checkDevice('scanner-01', Buffer.from(secret))).toBe('ok');
    await expect(svc.setDisabled('nope', true)).rejects.toThrow(/no device "nope"/);
  });

  it('new devices get the kind default capabilities until their birth', async () => {
    const { device } = await svc.provision({ id: 'locker-01', kind: 'parcel_locker' });
    expect((device.capabilities as { compartments: unknown[] }).compartments).toHaveLength(12);
  });
});

describe('secret hashing', () => {
  it('verifies and rejects in constant form, tolerating garbage hashes', async () => {
    const h = await hashSecret('correct horse');
    expect(await verifySecret('correct horse', h)).toBe(true);
    expect(await verifySecret('wrong horse', h)).toBe(false);
    expect(await verifySecret('x', 'garbage')).toBe(false);
    expect(await verifySecret('x', 'scrypt$99999999$8$1$abc$def')).toBe(false);
    const fast = hashDeviceSecret('a'.repeat(43));
    expect(await verifySecret('a'.repeat(43), fast)).toBe(true);
    expect(await verifySecret('b'.repeat(43), fast)).toBe(false);
    expect(await verifySecret('x', 'sha256$abc$def')).toBe(false);
    expect(await verifySecret('x', 'sha256$$')).toBe(false);
  });
});

describe('StaffTokens', () => {
  it('stores only a hash, authenticates, and revokes', async () => {
    const tmp = tempDir();
    const store = new Store(tmp.dir);
    const tokens = new StaffTokens(store.tokens, new ImmediateWriter(store.db), new ManualClock());
    const t = await tokens.create('operator', 'desk');
    expect(JSON.stringify(store.db.prepare('SELECT * FROM staff_tokens').all())).not.toContain(t.token);
    expect(tokens.authenticate(t.token)?.role).toBe('operator');
    // one character changed (never to itself: a token may end in "A")
    expect(tokens.authenticate(`${t.token.slice(0, -1)}${t.token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(tokens.authenticate('not-a-token')).toBeUndefined();
    expect(await tokens.revoke(t.id)).toBe(true);
    expect(tokens.authenticate(t.token)).toBeUndefined();
    store.close();
    tmp.cleanup();
  });

  it('roles are ordered viewer < operator < admin', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'operator')).toBe(true);
    expect(roleAllows('viewer', 'operator')).toBe(false);
    expect(roleAllows('operator', 'admin')).toBe(false);
  });
});
