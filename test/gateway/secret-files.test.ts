import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Gateway } from '../../gateway/app.ts';
import { ConfigError, loadConfig } from '../../gateway/config/load.ts';
import { ConfigSchema } from '../../gateway/config/schema.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { cardFileReadKey } from '../../gateway/redemption/credentials/key-diversification.ts';
import { makeSunMessage } from '../../gateway/redemption/credentials/ntag424-sun.ts';
import { Store } from '../../gateway/store/store.ts';
import { tempDir } from '../support/tmp.ts';

const META = '000102030405060708090A0B0C0D0E0F';
const MASTER = 'F0E0D0C0B0A090807060504030201000';
const mode = (p: string) => statSync(p).mode & 0o777;

describe('files other users of the box must not read', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('the data folder is 0700 and the database, its WAL and shared memory 0600', () => {
    const dir = join(tmp.dir, 'data');
    const store = new Store(dir);
    store.db.prepare("INSERT INTO merchants (id, name) VALUES ('x', 'y')").run();
    expect(mode(dir)).toBe(0o700);
    for (const f of ['linli.db', 'linli.db-wal', 'linli.db-shm']) expect(mode(join(dir, f)), f).toBe(0o600);
    store.close();
  });

  it('leaves a shared sticky folder (like /tmp) as it is: only the database files become private', () => {
    const dir = join(tmp.dir, 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o1777);
    const store = new Store(dir);
    expect(statSync(dir).mode & 0o7777).toBe(0o1777);
    expect(mode(join(dir, 'linli.db'))).toBe(0o600);
    store.close();
  });

  it('NTAG 424 keys come from key files; a key file others can read stops the start with the fix to run', async () => {
    const meta = join(tmp.dir, 'sdm-meta.key');
    const master = join(tmp.dir, 'file-master.key');
    writeFileSync(meta, `${META}\n`);
    chmodSync(meta, 0o644); // a Gateway started in this process set umask 077
    writeFileSync(master, `${MASTER}\n`);
    chmodSync(master, 0o600); // a Gateway started in this process set umask 077
    const config = ConfigSchema.parse({
      dataDir: join(tmp.dir, 'data'),
      mqtt: { host: '127.0.0.1', port: 0, plaintext: true, tls: { enabled: false } },
      http: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      redemption: { secureCards: { sdmMetaReadKeyFile: meta, fileReadMasterKeyFile: master } },
    });
    const exposed = new Gateway(config, silentLogger());
    await expect(exposed.start()).rejects.toThrow(/sdm-meta\.key .* readable by other users .*chmod 600/);
    chmodSync(meta, 0o640); // shared with the service user's group: fine
    const gw = new Gateway(config, silentLogger());
    await gw.start();
    try {
      const uid = Buffer.from('04DE5F1EACC040', 'hex');
      const tap = makeSunMessage(uid, 3, Buffer.from(META, 'hex'), cardFileReadKey(Buffer.from(MASTER, 'hex'), uid));
      const presented = () => gw.redemption.resolver.present({ type: 'sun', ...tap });
      // the keys were read: the tap verifies (and the card is simply not registered here)
      expect(presented).toThrow(/not registered/);
    } finally {
      await gw.stop();
    }
  });

  it('a configuration file with inline keys must not be readable by others; key files are resolved next to it', () => {
    const file = join(tmp.dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ redemption: { secureCards: { sdmMetaReadKey: META, fileReadMasterKey: MASTER } } }),
    );
    chmodSync(file, 0o644); // a Gateway started in this process set umask 077
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file, env: {} })).toThrow(/readable by other users/);
    chmodSync(file, 0o600);
    expect(loadConfig({ file, env: {} }).redemption.secureCards?.sdmMetaReadKey).toBe(META);
    writeFileSync(
      file,
      JSON.stringify({
        redemption: { secureCards: { sdmMetaReadKeyFile: 'meta.key', fileReadMasterKeyFile: 'master.key' } },
      }),
    );
    chmodSync(file, 0o644); // a Gateway started in this process set umask 077
    expect(loadConfig({ file, env: {} }).redemption.secureCards?.sdmMetaReadKeyFile).toBe(join(tmp.dir, 'meta.key'));
  });

  it('the cloud password file is checked the same way', async () => {
    const pw = join(tmp.dir, 'cloud.pw');
    writeFileSync(pw, 'secret\n');
    chmodSync(pw, 0o604); // a Gateway started in this process set umask 077
    const config = ConfigSchema.parse({
      dataDir: join(tmp.dir, 'data2'),
      mqtt: { host: '127.0.0.1', port: 0, plaintext: true, tls: { enabled: false } },
      http: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      cloud: {
        enabled: true,
        url: 'mqtt://127.0.0.1:9',
        username: 'gw',
        passwordFile: pw,
        signingKeys: [{ kid: 'k', publicKey: 'A'.repeat(43) }],
      },
    });
    await expect(new Gateway(config, silentLogger()).start()).rejects.toThrow(/cloud\.passwordFile/);
  });
});
