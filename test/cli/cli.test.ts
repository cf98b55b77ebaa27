import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../gateway/store/store.ts';
import { verifySecret } from '../../gateway/security/secret-hash.ts';
import { tempDir } from '../support/tmp.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/linli.mjs', import.meta.url).pathname;

async function linli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('linli command line', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  it('provision --json prints id, kind and a secret that only the hash in the database matches', async () => {
    const r = await linli(['provision', '--kind', 'vending_machine', '--id', 'vm-01', '--data', tmp.dir, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; kind: string; secret: string };
    expect(out).toEqual({ id: 'vm-01', kind: 'vending_machine', secret: expect.any(String) });
    const store = new Store(tmp.dir);
    const rec = store.devices.get('vm-01');
    store.close();
    expect(rec?.secretHash).not.toContain(out.secret);
    expect(await verifySecret(out.secret, rec?.secretHash ?? '')).toBe(true);
  });

  it('refuses a second provision of the same id and a bad kind, with a clear message and a failing exit code', async () => {
    const dup = await linli(['provision', '--kind', 'vending_machine', '--id', 'vm-01', '--data', tmp.dir]);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/DEVICE_EXISTS/);
    const bad = await linli(['provision', '--kind', 'toaster', '--id', 'x-1', '--data', tmp.dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/kind/);
  });

  it('token create --json and device rotate/disable/list', async () => {
    const t = await linli(['token', 'create', '--role', 'admin', '--data', tmp.dir, '--json']);
    expect(JSON.parse(t.stdout)).toMatchObject({ role: 'admin', token: expect.stringMatching(/^llt_/) });
    const rot = await linli(['device', 'rotate', 'vm-01', '--data', tmp.dir, '--json']);
    expect(JSON.parse(rot.stdout)).toMatchObject({ id: 'vm-01', secret: expect.any(String) });
    await linli(['device', 'disable', 'vm-01', '--data', tmp.dir]);
    const list = await linli(['device', 'list', '--data', tmp.dir, '--json']);
    expect(JSON.parse(list.stdout).items).toEqual([expect.objectContaining({ id: 'vm-01', disabled: true })]);
  });

  it('load --demo fills the database and ledger verify checks it; a broken fixture names the path', async () => {
    const r = await linli(['load', '--demo', '--data', tmp.dir, '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ members: 300, campaigns: 14 });
    const v = await linli(['ledger', 'verify', '--data', tmp.dir, '--json']);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, problems: [] });
    const f = join(tmp.dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ members: [{ id: 'm-1', benefits: [{ id: 'b', campaignId: 'none' }] }] }));
    const bad = await linli(['load', f, '--data', tmp.dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/members\[0\]\.benefits\[0\]\.campaignId: unknown campaign "none"/);
  });

  it('a bad config stops with the exact path and reason (exit 2)', async () => {
    const f = join(tmp.dir, 'bad.yaml');
    writeFileSync(f, 'mqtt:\n  port: 99999\n');
    const r = await linli(['config', 'check', '--config', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mqtt\.port: Too big/);
    const s = await linli(['start', '--config', f]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/mqtt\.port/);
  });

  it('every command explains itself with --help', async () => {
    const top = await linli(['--help']);
    for (const c of ['start', 'demo', 'provision', 'device', 'token', 'sim', 'hash-secret', 'config']) expect(top.stdout).toContain(c);
    for (const args of [['start'], ['demo'], ['provision'], ['device', 'rotate'], ['token', 'create'], ['hash-secret'], ['config', 'check']]) {
      const r = await linli([...args, '--help']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: linli/);
    }
    const sim = await linli(['sim', '--help']);
    expect(sim.stdout).toMatch(/--lockers/);
  });

  it('linli sim provisions its devices through the API of a running gateway and brings them online', async () => {
    const { startGateway } = await import('../support/gateway-harness.ts');
    const h = await startGateway();
    try {
      const r = await linli(['sim', '--url', h.mqttUrl, '--api', h.endpoints.httpUrl, '--token', h.adminToken, '--lockers', '1', '--scanners', '1', '--duration', '2', '--log-level', 'warn']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/locker-01\s+parcel_locker\s+connected/);
      expect(r.stdout).toMatch(/2 devices running scenario "steady"/);
      expect(h.gw.store.devices.list().map((d) => d.id).sort()).toEqual(['locker-01', 'scanner-01']);
      // it stopped by itself with an orderly shutdown: the gateway saw both devices go offline at once
      expect(h.gw.monitor.get('locker-01')?.verdict.reasons[0]?.code).toBe('SHUTDOWN');
      const bad = await linli(['sim', '--url', h.mqttUrl, '--lockers', '1']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/--credentials FILE, or --api URL with --token/);
    } finally {
      await h.stop();
    }
  });
});
