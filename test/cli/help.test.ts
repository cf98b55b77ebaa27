import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../sim/src/scenario-table.ts';
import { linliInProcess } from './cli-support.ts';

/** Help texts, checked in this process through buildCli(): no process to spawn per command. */
describe('linli --help', () => {
  it('the top level names every command and the global --verbose', async () => {
    const top = await linliInProcess(['--help']);
    expect(top.code).toBe(0);
    for (const c of [
      'start',
      'demo',
      'provision',
      'device',
      'token',
      'load',
      'ledger',
      'sim',
      'hash-secret',
      'config',
      '--verbose',
    ])
      expect(top.stdout).toContain(c);
  });

  it.each([
    ['start'],
    ['demo'],
    ['provision'],
    ['device', 'rotate'],
    ['device', 'delete'],
    ['token', 'create'],
    ['hash-secret'],
    ['config', 'check'],
    ['sim'],
    ['load'],
  ])('%s %s --help explains itself', async (...args) => {
    const r = await linliInProcess([...args.filter(Boolean), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: linli/);
  });

  it('demo and sim list every scenario of the table, with what it does', async () => {
    for (const cmd of ['demo', 'sim']) {
      const r = await linliInProcess([cmd, '--help']);
      for (const s of SCENARIOS) expect(r.stdout, `${cmd} --help lists ${s}`).toMatch(new RegExp(`\\n\\s+${s}\\s+\\S`));
    }
  });

  it('sim --help says it creates only sim- devices of its own and never touches others', async () => {
    const r = await linliInProcess(['sim', '--help']);
    expect(r.stdout).toMatch(/--lockers/);
    expect(r.stdout).toMatch(/ids starting with sim-/);
    expect(r.stdout).toMatch(/never\s+rotated, enabled or reused/);
  });

  it('device delete --help names the confirmation flag', async () => {
    const r = await linliInProcess(['device', 'delete', '--help']);
    expect(r.stdout).toMatch(/--yes/);
  });

  it('an unknown scenario or option is one line and a hint, exit 1, no help dump', async () => {
    const r = await linliInProcess(['demo', '--scenario', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown scenario; choose one of: steady, faults/);
    expect(r.stderr).toMatch(/add --help/);
    expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
  });
});
