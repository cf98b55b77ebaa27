import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../gateway/doctor/config-check.ts';
import type { Check } from '../../gateway/doctor/context.ts';
import { evaluate } from '../../gateway/doctor/evaluate.ts';
import { DoctorReportSchema, fail, ok, warn } from '../../gateway/doctor/finding.ts';
import { formatReport } from '../../gateway/doctor/format-report.ts';
import { CHECKS, runDoctor } from '../../gateway/doctor/registry.ts';
import { loadConfig } from '../../gateway/config/load.ts';
import { fakeContext, NOW } from './fake-box.ts';

const clock = () => {
  let mono = 0;
  return { now: () => NOW, monotonic: () => (mono += 7) };
};

describe('doctor: the report', () => {
  it('exit 0 when all ok, 1 with warnings only, 2 with any failure; problems first, in the checks’ order', () => {
    expect(evaluate([ok('a', 'fine')], NOW, 3)).toMatchObject({ status: 'ok', exitCode: 0 });
    const r = evaluate([ok('a', 'x'), warn('b', 'y', 'do b'), ok('c', 'z'), warn('d', 'w', 'do d')], NOW, 3);
    expect(r).toMatchObject({ status: 'warn', exitCode: 1, counts: { ok: 2, warn: 2, fail: 0 } });
    expect(r.findings.map((f) => f.id)).toEqual(['b', 'd', 'a', 'c']);
    const f = evaluate([warn('b', 'y', 'do b'), fail('e', 'v', 'do e'), ok('a', 'x')], NOW, 3);
    expect(f).toMatchObject({ status: 'fail', exitCode: 2 });
    expect(f.findings.map((x) => x.id)).toEqual(['e', 'b', 'a']);
    expect(DoctorReportSchema.parse(f)).toEqual(f);
  });

  it('prints one line per finding and the fix under each problem', () => {
    const text = formatReport(evaluate([ok('config', 'valid'), fail('backup', 'none ever', 'linli backup')], NOW, 12));
    expect(text.split('\n')).toEqual([
      'linli doctor: 1 failed, 0 warnings, 1 ok (12 ms)',
      'FAIL  backup  none ever',
      '              → linli backup',
      'ok    config  valid',
      '',
    ]);
  });

  it('a check that throws or hangs is a finding of its own; the others still report', async () => {
    const throws: Check = { id: 'boom', run: async () => Promise.reject(new Error('no such thing')) };
    const hangs: Check = { id: 'slow', run: () => new Promise(() => undefined) };
    const fine: Check = { id: 'fine', run: async () => [ok('fine', 'yes')] };
    const r = await runDoctor(ok('config', 'valid'), fakeContext({}), {
      checks: [throws, hangs, fine],
      timeoutMs: 30,
      ...clock(),
    });
    expect(r.findings.map((f) => [f.id, f.status])).toEqual([
      ['boom', 'fail'],
      ['slow', 'fail'],
      ['config', 'ok'],
      ['fine', 'ok'],
    ]);
    expect(r.findings[0]?.message).toContain('no such thing');
    expect(r.findings[1]?.message).toContain('did not finish within 30 ms');
    expect(r.tookMs).toBe(7);
  });

  it('an invalid config is the one finding, in the loader’s words', async () => {
    const { config, finding } = checkConfig(
      () => loadConfig({ env: { LINLI_HTTP_PORT: 'eighty' } }),
      '/etc/linli/config.yaml',
    );
    expect(config).toBeUndefined();
    expect(finding).toMatchObject({
      id: 'config',
      status: 'fail',
      message: expect.stringContaining('LINLI_HTTP_PORT: expected a port number'),
      fix: 'fix it, then check with `linli config check --config /etc/linli/config.yaml`',
    });
    const r = await runDoctor(finding, undefined, clock());
    expect(r).toMatchObject({ exitCode: 2, counts: { ok: 0, warn: 0, fail: 1 } });
  });

  it('every check has a distinct id', () => {
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
  });
});
