import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KIND_MODULES } from '../../devices/registry.ts';
import type { ConformanceReport } from '../../gateway/conformance/report.ts';
import { SimDevice } from '../../sim/src/sim-device.ts';
import { BIN, linliInProcess, linliProcess } from '../cli/cli-support.ts';
import { asExpected } from './kit-twin.ts';

describe('linli conformance', () => {
  it('--help explains the modes, the verdicts and --strict', async () => {
    const r = await linliProcess(['conformance', '--help']);
    // a dist/ older than the sources is refused by bin/linli.mjs: stderr says so
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    for (const option of [
      '--kind',
      '--id',
      '--secret',
      '--host',
      '--mqtt-port',
      '--wait',
      '--quick',
      '--strict',
      '--json',
      '--list',
      '--url',
    ])
      expect(r.stdout).toContain(option);
    for (const m of KIND_MODULES) expect(r.stdout).toContain(m.wire.kind);
    expect(r.stdout).toMatch(/with --strict, "not observed" fails the run too/);
    expect(r.stdout).toMatch(/--url \(against another gateway\) is refused/);
  });

  it('--list prints the clauses of a kind from its module, its own commands among them', async () => {
    const r = await linliInProcess(['conformance', '--kind', 'charging_pile', '--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FWP-8\.2, FWP-7\.6 +birth first after CONNACK/);
    expect(r.stdout).toMatch(/FWP-9\.1, FWP-9\.2, FWP-9\.3 +cut_socket with valid arguments/);
    expect(r.stdout).toMatch(/charge_begin, charge_end, lookup/);
  });

  it('--url is refused with the reason, before anything starts', async () => {
    const r = await linliInProcess([
      'conformance',
      '--kind',
      'door_reader',
      '--id',
      'door-01',
      '--url',
      'mqtt://gw:1883',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--url\) is not supported/);
  });

  it('runs end to end against a simulated device: --json report on stdout, progress on stderr', async () => {
    const id = 'door-e2e-01';
    const secret = randomBytes(32).toString('base64url');
    const args = ['conformance', '--kind', 'door_reader', '--id', id, '--secret', secret];
    const child = spawn(
      process.execPath,
      [BIN, ...args, '--host', '127.0.0.1', '--mqtt-port', '0', '--quick', '--json', '--wait', '20'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    let stdout = '';
    let stderr = '';
    let device: SimDevice | undefined;
    let asked = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const port = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1];
      if (port && !device) {
        device = new SimDevice({ url: `mqtt://127.0.0.1:${port}`, id, kind: 'door_reader', secret });
        device.start().catch(() => undefined);
      }
      // the kit asks the operator to tap its test card: the simulated device does
      if (device && !asked && stderr.includes(`make ${id} send a request now`)) {
        asked = true;
        const credential = { type: 'uid' as const, uid: /test card ([0-9A-F]+)/.exec(stderr)?.[1] ?? '' };
        device.request({ op: 'lookup', credential }, device.newTxn(), 1500).catch(() => undefined);
        device.sendEvent({ event: 'tamper', open: false }).catch(() => undefined);
      }
    });
    try {
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(stdout, stderr).toMatch(/^\{/);
      const report = JSON.parse(stdout) as ConformanceReport;
      expect(report.device).toEqual({ id, kind: 'door_reader', label: 'NFC door reader' });
      expect(report.clauses.filter((c) => !asExpected(c))).toEqual([]);
      expect(report.clauses.find((c) => c.id === 'request-resend')?.verdict).toBe('pass');
      expect(code).toBe(report.ok ? 0 : 1);
      expect(stderr).toContain(`secret  ${secret}`);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
      await device?.stop({ graceful: false });
    }
  }, 120_000);
});
