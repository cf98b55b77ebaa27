import type { DoctorReport } from './finding.ts';

const LABEL = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

/** The report as a person reads it in a terminal: one line per finding, the fix under each problem. */
export function formatReport(r: DoctorReport): string {
  const width = Math.min(24, Math.max(...r.findings.map((f) => f.id.length)));
  const lines = r.findings.flatMap((f) => [
    `${LABEL[f.status]}  ${f.id.padEnd(width)}  ${f.message}`,
    ...(f.status !== 'ok' && f.fix ? [`${' '.repeat(width + 8)}→ ${f.fix}`] : []),
  ]);
  const problems = r.counts.fail + r.counts.warn;
  const head =
    problems === 0
      ? `linli doctor: all ${r.counts.ok} checks ok (${r.tookMs} ms)`
      : `linli doctor: ${r.counts.fail} failed, ${r.counts.warn} warnings, ${r.counts.ok} ok (${r.tookMs} ms)`;
  return `${head}\n${lines.join('\n')}\n`;
}
