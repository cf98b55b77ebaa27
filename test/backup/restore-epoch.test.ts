import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTwin } from '../../sim/src/cloud-twin.ts';
import { expectCloudContractKept } from '../cloud/contract-conformance.ts';
import { waitFor } from '../support/gateway-harness.ts';
import { freePort } from '../support/free-port.ts';
import { Mosquitto } from '../support/mosquitto.ts';
import { tempDir } from '../support/tmp.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/linli.mjs', import.meta.url).pathname;
const GW = 'gw-restore';
const MEMBERS = ['m-1', 'm-2', 'm-3'];

/**
 * Issue 13 item 4 [CLP-3.12] [CLP-5.12]: a gateway under load is backed up (an online snapshot), goes on
 * and syncs what it approved after the snapshot, then dies and its data folder is wiped. The backup is
 * restored and started, and the load resumes. No cloud event id is used twice, every approval is counted
 * once at the cloud, and the box's points and wallets equal the cloud's accounting again.
 */
describe('a restored box never re-uses cloud event ids and loses no money', () => {
  let mosq: Mosquitto;
  let twin: CloudTwin;
  let tmp: ReturnType<typeof tempDir>;
  let child: ChildProcess | undefined;
  let api = '';
  let token = '';
  let config = '';
  let dataDir = '';
  /** The gateway's last words, for a start that fails. */
  let stderr = '';

  const start = async () => {
    child = spawn(process.execPath, [BIN, 'start', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
    });
    await waitFor(
      async () =>
        await fetch(`${api}/healthz`)
          .then((r) => r.ok)
          .catch(() => false),
      'gateway up',
      20_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${stderr}`);
    });
  };
  const killed = async () => {
    const dead = child;
    dead?.kill('SIGKILL');
    await new Promise<void>((r) =>
      !dead || dead.exitCode !== null || dead.signalCode !== null ? r() : dead.once('exit', () => r()),
    );
  };
  const get = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
  const backlog = async () => (await get<{ cloud: { backlogEvents: number } }>('/healthz')).cloud.backlogEvents;
  /** Awards `n` points, a txn at a time from `workers` clients; the txns the API confirmed. */
  const award = async (txnId: string, memberId: string): Promise<{ ok: boolean; awarded?: boolean }> => {
    const r = await fetch(`${api}/api/v1/members/${memberId}/points`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ points: 10, txnId, reason: 'activity' }),
    }).catch(() => undefined);
    if (!r?.ok) return { ok: false };
    return { ok: true, awarded: ((await r.json()) as { awarded: boolean }).awarded };
  };
  const load = async (prefix: string, n: number, confirmed: Map<string, string>, during?: (i: number) => unknown) => {
    const workers = 4;
    let next = 0;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < n) {
          const i = next++;
          const member = MEMBERS[i % MEMBERS.length] as string;
          if ((await award(`${prefix}-${i}`, member)).ok) confirmed.set(`${prefix}-${i}`, member);
          await during?.(i);
        }
      }),
    );
  };

  beforeAll(async () => {
    mosq = await new Mosquitto().start();
    const keys = generateKeyPairSync('ed25519');
    const publicKey = (keys.publicKey.export({ format: 'jwk' }) as { x: string }).x;
    twin = new CloudTwin({ url: mosq.url, clientId: 'twin-restore', signer: { kid: 'k1', key: keys.privateKey } });
    await twin.start();
    tmp = tempDir('linli-restore-');
    dataDir = join(tmp.dir, 'data');
    const httpPort = await freePort();
    api = `http://127.0.0.1:${httpPort}`;
    config = join(tmp.dir, 'config.yaml');
    writeFileSync(
      config,
      [
        `dataDir: ${dataDir}`,
        `gateway: { id: ${GW} }`,
        'mqtt: { host: 127.0.0.1, port: 0 }',
        `http: { host: 127.0.0.1, port: ${httpPort} }`,
        `cloud: { enabled: true, url: "${mosq.url}", signingKeys: [{ kid: k1, publicKey: ${publicKey} }], ` +
          'batchesPerSecond: 50, batchMax: 10, ackTimeoutS: 2, reconnectMinMs: 200, reconnectMaxMs: 1000 }',
        'log: { level: warn }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(tmp.dir, 'community.json'),
      JSON.stringify({ members: MEMBERS.map((id) => ({ id, tier: 'regular', walletFen: 0 })) }),
    );
    await run(process.execPath, [BIN, 'load', join(tmp.dir, 'community.json'), '--config', config]);
    token = (
      JSON.parse(
        (await run(process.execPath, [BIN, 'token', 'create', '--role', 'admin', '--config', config, '--json'])).stdout,
      ) as { token: string }
    ).token;
    for (const m of MEMBERS) twin.wallets.set(m, 1_000_000);
  }, 60_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await twin?.stop();
    await mosq?.dispose();
    tmp?.cleanup();
  });

  it('backed up under load, wiped, restored, resumed: ids unique, approvals once, box equals cloud', async () => {
    await start();
    const confirmed = new Map<string, string>();
    const grants = async (n: number) => {
      for (let i = 0; i < n; i++) await twin.grantAllowance(GW, MEMBERS[i % MEMBERS.length] as string, 1000 + i);
    };
    await grants(2);

    // `linli backup` while awards are in flight: an online snapshot, encrypted and verified
    const backupDir = join(tmp.dir, 'backup');
    mkdirSync(backupDir);
    const keyFile = join(tmp.dir, 'backup.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const cli = async (...args: string[]) =>
      JSON.parse((await run(process.execPath, [BIN, ...args, '--config', config, '--json'])).stdout) as unknown;
    let backup: Promise<{ file: string }> | undefined;
    await load('a', 60, confirmed, (i) => {
      if (i !== 30 || backup) return;
      backup = cli('backup', '--out', backupDir, '--key-file', keyFile) as Promise<{ file: string }>;
      return backup;
    });
    const backupFile = (await (backup as Promise<{ file: string }>)).file;
    // the original box goes on after the backup, and the cloud hears all of it
    await grants(2);
    await load('b', 40, confirmed);
    await waitFor(async () => (await backlog()) === 0, 'the original box synced', 30_000);
    const fromEpoch = twin.epochs.get(GW) as string;
    const tailAtCloud = twin.stream(GW, 'money', fromEpoch).upTo;

    // the box dies and its data folder is lost; `linli restore` brings the backup back in a new epoch
    await killed();
    rmSync(dataDir, { recursive: true, force: true });
    const restored = (await cli('restore', backupFile, '--key-file', keyFile)) as { epoch: { now: string } };
    const newEpoch = restored.epoch.now;

    await start();
    // a device's retry of a txn the original box awarded after the backup: once the lost tail is
    // applied, it awards nothing again
    const lostTxn = 'b-0';
    await load('c', 30, confirmed);
    await waitFor(
      async () => (await backlog()) === 0 && twin.eventsOf(GW, 'money').some((e) => e.kind === 'gateway.recovered'),
      'the restored box recovered and synced',
      30_000,
    );
    expect(await award(lostTxn, confirmed.get(lostTxn) as string)).toEqual({ ok: true, awarded: false });
    await grants(1);
    const grantIds = () =>
      new Set(
        twin
          .eventsOf(GW, 'money')
          .filter((e) => e.kind === 'allowance.credited')
          .map((e) => (e.data as { grantId: string }).grantId),
      ).size;
    await waitFor(async () => grantIds() === 5 && (await backlog()) === 0, 'the last grant synced', 30_000);

    // the restored database wrote in its new epoch, numbering on after the backup's restore point
    expect(twin.epochOrder.get(GW)).toEqual([fromEpoch, newEpoch]);
    const [recovery] = twin.recoveries;
    expect(recovery?.epoch).toBe(newEpoch);
    expect(recovery?.upTo).toBe(tailAtCloud);
    expect(recovery?.after, 'the original box sent money events after the backup').toBeLessThan(tailAtCloud);
    const money = twin.stream(GW, 'money', newEpoch);
    expect(money.events[0]?.seq).toBe((recovery?.after ?? 0) + 1);
    expect(money.gaps).toBe(0);

    // no event id used twice: every event the cloud applied is a distinct id, none dropped as a repeat
    // under another content
    const all = [...twin.streams.values()].flatMap((s) => s.events);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);

    // every approval the API confirmed is counted exactly once at the cloud
    const money2 = twin.eventsOf(GW, 'money');
    const awards = money2.filter((e) => e.kind === 'points.awarded').map((e) => e.data as { txnId: string });
    const txns = awards.map((a) => a.txnId);
    expect(new Set(txns).size).toBe(txns.length);
    for (const t of confirmed.keys()) expect(txns).toContain(t);
    expect(confirmed.size).toBe(130);

    // the box's wallets and points equal the cloud's accounting
    const cloudPoints = new Map<string, number>();
    for (const e of money2.filter((e) => e.kind === 'points.awarded')) {
      const d = e.data as { memberId: string; points: number };
      cloudPoints.set(d.memberId, (cloudPoints.get(d.memberId) ?? 0) + d.points);
    }
    const credited = new Map<string, { memberId: string; amountFen: number }>();
    for (const e of money2.filter((e) => e.kind === 'allowance.credited')) {
      const d = e.data as { grantId: string; memberId: string; amountFen: number };
      credited.set(d.grantId, d); // a grant counts once by id [CLP-4.4]
    }
    expect(credited.size).toBe(5);
    for (const m of MEMBERS) {
      const box = await get<{ points: number; walletFen: number }>(`/api/v1/members/${m}`);
      expect(box.points, `points of ${m}`).toBe(cloudPoints.get(m) ?? 0);
      const granted = [...credited.values()].filter((g) => g.memberId === m).reduce((n, g) => n + g.amountFen, 0);
      expect(box.walletFen, `wallet of ${m}`).toBe(granted);
      expect(twin.granted.get(`${GW}/${m}`) ?? 0).toBe(granted);
    }
    expect(await twin.reconcile(GW)).toEqual(new Map());
    const recovered = money2.find((e) => e.kind === 'gateway.recovered')?.data as { applied: number; refused: number };
    expect(recovered.refused).toBe(0);
    expect(recovered.applied).toBeGreaterThan(0);

    const verify = await run(process.execPath, [BIN, 'ledger', 'verify', '--config', config, '--json']);
    expect((JSON.parse(verify.stdout) as { ok: boolean }).ok).toBe(true);
    expectCloudContractKept(twin);
    child?.kill('SIGTERM');
  }, 150_000);
});
