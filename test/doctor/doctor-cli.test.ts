import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeLastBackup } from '../../gateway/backup/last-backup.ts';
import { doctorCommand } from '../../gateway/cli/doctor-command.ts';
import type { DoctorIo } from '../../gateway/doctor/context.ts';
import { DoctorReportSchema } from '../../gateway/doctor/finding.ts';
import { systemIo } from '../../gateway/doctor/system-io.ts';
import { Store } from '../../gateway/store/store.ts';
import { linliInProcess, linliProcess } from '../cli/cli-support.ts';
import { tempDir } from '../support/tmp.ts';

/**
 * The real box, except what this machine cannot promise: its disk's fill and wear, its clock sync, its
 * ports. Those answer as a healthy Pi would.
 */
const PROC: Record<string, string> = {
  '/proc/diskstats': ' 179       2 mmcblk0p2 24259 8606 1721768 23329 182932 142651 2000000 1010650 0 416788 1033979',
  '/proc/uptime': '86400.00 170000.00',
};
const healthyBox: DoctorIo = {
  ...systemIo,
  // the data folder on a Pi's SD card: 1 GB written a day
  stat: async (p) => {
    const info = await systemIo.stat(p);
    return info && { ...info, dev: { major: 179, minor: 2 } };
  },
  statfs: async () => ({ freeBytes: 20e9, totalBytes: 30e9 }),
  readText: async (p) => PROC[p] ?? systemIo.readText(p),
  run: async (cmd) => (cmd === 'timedatectl' ? { code: 0, stdout: 'yes\n' } : undefined),
  probePort: async () => undefined,
};

async function doctorInProcess(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const before = process.exitCode;
  try {
    await doctorCommand(healthyBox).exitOverride().parseAsync(args, { from: 'user' });
    return { code: Number(process.exitCode ?? 0), stdout };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

describe('linli doctor (CLI)', () => {
  const tmp = tempDir('linli-doctor-cli-');
  const data = join(tmp.dir, 'data');
  const config = (name: string, yaml: string) => {
    const file = join(tmp.dir, name);
    writeFileSync(file, `dataDir: ${data}\nhttp: { port: 0 }\n${yaml}`);
    return file;
  };
  beforeAll(() => {
    new Store(data).close();
    // the gateway's own local CA and server certificate, as its first start leaves them
    const tls = join(data, 'tls');
    mkdirSync(tls, { mode: 0o700 });
    for (const name of ['ca', 'server'])
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '365'].concat([
          '-subj',
          `/CN=${name}`,
          '-keyout',
          join(tls, `${name}.key`),
          '-out',
          join(tls, `${name}.crt`),
        ]),
        { stdio: 'pipe' },
      );
    execFileSync('chmod', ['600', join(tls, 'ca.key'), join(tls, 'server.key')]);
  });
  afterAll(() => tmp.cleanup());
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('as its own process: --json is one report of the schema, and the exit code is the report’s', async () => {
    const r = await linliProcess(['doctor', '--data', join(tmp.dir, 'never-started'), '--json']);
    const report = DoctorReportSchema.parse(JSON.parse(r.stdout));
    expect(r.code).toBe(report.exitCode);
    // a box never started: no database, no certificates, no backup; the last is a failure on any machine
    expect(r.code).toBe(2);
    expect(report.findings.find((f) => f.id === 'backup')).toMatchObject({ status: 'fail' });
    expect(report.findings.find((f) => f.id === 'database')).toMatchObject({ status: 'warn' });
    expect(report.findings[0]?.status).toBe('fail');
  });

  it('through `linli`: an invalid config is exit 2, its problem in the table with the fix under it', async () => {
    const bad = config('bad.yaml', 'mqtt: { port: seventy }\n');
    const r = await linliInProcess(['doctor', '--config', bad]);
    expect(r.code).toBe(0);
    expect(process.exitCode).toBe(2);
    expect(r.stdout).toMatch(/^linli doctor: 1 failed, 0 warnings, 0 ok/);
    expect(r.stdout).toContain('FAIL  config  ');
    expect(r.stdout).toContain('mqtt.port: ');
    expect(r.stdout).toContain(`→ fix it, then check with \`linli config check --config ${bad}\``);
  });

  it('exit 0 on a healthy box: every check ok', async () => {
    writeLastBackup(data, { at: Date.now() - 3_600_000, file: '/media/usb/a.lbk', bytes: 10, verified: true });
    const r = await doctorInProcess(['--config', config('ok.yaml', ''), '--json']);
    const report = DoctorReportSchema.parse(JSON.parse(r.stdout));
    expect(report.findings.filter((f) => f.status !== 'ok')).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.findings.map((f) => f.id)).toEqual([
      'config',
      'permissions',
      'disk-space',
      'disk-wear',
      'clock.sync',
      'ports.mqtt-tls',
      'plaintext',
      'database.quick-check',
      'database.ledger',
      'certificates.server',
      'certificates.local-ca',
      'backup',
    ]);
  });

  it('exit 1 with warnings only: plain MQTT on, named with its port and the fix', async () => {
    writeLastBackup(data, { at: Date.now() - 3_600_000, file: '/media/usb/a.lbk', bytes: 10, verified: true });
    const r = await doctorInProcess(['--config', config('plain.yaml', 'mqtt: { plaintext: true, port: 1884 }\n')]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(/^linli doctor: 0 failed, 1 warnings, 1\d ok \(\d+ ms\)$/),
      expect.stringMatching(/^WARN {2}plaintext +plain MQTT listens on 0\.0\.0\.0:1884/),
      expect.stringMatching(/^ +→ move the devices to TLS on port 8883/),
    ]);
  });
});
