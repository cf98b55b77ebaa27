import { describe, expect, it } from 'vitest';
import { permissionsCheck } from '../../gateway/doctor/permissions-check.ts';
import { fakeContext } from './fake-box.ts';

const D = '/var/lib/linli';
const healthy = {
  [D]: { isDirectory: true, mode: 0o40700 },
  [`${D}/linli.db`]: { mode: 0o100600 },
  [`${D}/linli.db-wal`]: { mode: 0o100600 },
  [`${D}/secrets.json`]: { mode: 0o100640 },
  [`${D}/tls`]: { isDirectory: true, mode: 0o40700 },
  [`${D}/tls/server.key`]: { mode: 0o100600 },
  [`${D}/tls/ca.crt`]: { mode: 0o100644 },
};

describe('doctor: file permissions', () => {
  it('ok: folder 0700, database, WAL and keys 0600 (or 0640), all the gateway user’s', async () => {
    const found = await permissionsCheck.run(fakeContext({ files: healthy }));
    expect(found).toEqual([
      expect.objectContaining({ id: 'permissions', status: 'ok', message: expect.stringContaining('5 files') }),
    ]);
  });

  it('warn: no data folder yet (a box never started)', async () => {
    const [f] = await permissionsCheck.run(fakeContext({ files: {} }));
    expect(f).toMatchObject({ status: 'warn', fix: expect.stringContaining('linli start') });
  });

  it('warn: the folder open to its group', async () => {
    const files = { ...healthy, [D]: { isDirectory: true, mode: 0o40750 } };
    const found = await permissionsCheck.run(fakeContext({ files }));
    expect(found).toEqual([
      expect.objectContaining({ id: 'permissions.data-folder', status: 'warn', fix: `chmod 700 ${D}` }),
    ]);
  });

  it('fail: a world-readable database, a group-writable secret, an open key, a file of root', async () => {
    const files = {
      ...healthy,
      [D]: { isDirectory: true, mode: 0o40755 },
      [`${D}/linli.db`]: { mode: 0o100644 },
      [`${D}/secrets.json`]: { mode: 0o100660 },
      [`${D}/tls/server.key`]: { mode: 0o100604 },
      [`${D}/linli.db-wal`]: { mode: 0o100600, uid: 0 },
    };
    const found = await permissionsCheck.run(fakeContext({ files }));
    expect(found.map((f) => [f.status, f.fix])).toEqual([
      ['fail', `chmod 700 ${D}`],
      ['fail', `chmod 600 ${D}/linli.db`],
      ['fail', `sudo chown -R linli: ${D}`],
      ['fail', `chmod 600 ${D}/secrets.json`],
      ['fail', `chmod 600 ${D}/tls/server.key`],
    ]);
    expect(found[1]?.message).toContain('mode 644: other users of this machine can read it');
    expect(found[3]?.message).toContain('its group can change it');
  });

  it('fail: a key file the config names, readable by others or missing', async () => {
    const config = { cloud: { cardFingerprintKeyFile: '/etc/linli/fp.key' } };
    const open = await permissionsCheck.run(
      fakeContext({ files: { ...healthy, '/etc/linli/fp.key': { mode: 0o100644, uid: 0 } } }, config),
    );
    expect(open).toEqual([
      expect.objectContaining({ id: 'permissions.key-file', status: 'fail', fix: expect.stringMatching(/^chmod 600/) }),
    ]);
    // root:linli 0640 is how a unit's key is shared with its user: fine
    const shared = await permissionsCheck.run(
      fakeContext({ files: { ...healthy, '/etc/linli/fp.key': { mode: 0o100640, uid: 0 } } }, config),
    );
    expect(shared[0]?.status).toBe('ok');
    const missing = await permissionsCheck.run(fakeContext({ files: healthy }, config));
    expect(missing[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('does not exist') });
  });

  it('a shared sticky folder (/tmp) as the data folder: only the gateway’s own files are judged', async () => {
    const files = {
      ...healthy,
      [D]: { isDirectory: true, mode: 0o41777, uid: 0 },
      [`${D}/someone-elses.txt`]: { mode: 0o100644, uid: 1500 },
    };
    expect(await permissionsCheck.run(fakeContext({ files }))).toEqual([
      expect.objectContaining({ status: 'ok', message: expect.stringContaining('5 files') }),
    ]);
  });
});
