import type { DoctorReport, Finding, FindingStatus } from './finding.ts';

const RANK: Record<FindingStatus, number> = { ok: 0, warn: 1, fail: 2 };

/** The report of a set of findings: problems first, the worst status, and the exit code it means. */
export function evaluate(findings: readonly Finding[], at: number, tookMs: number): DoctorReport {
  const counts = { ok: 0, warn: 0, fail: 0 };
  for (const f of findings) counts[f.status] += 1;
  const worst = findings.reduce<number>((w, f) => Math.max(w, RANK[f.status]), 0) as 0 | 1 | 2;
  // a stable sort: within a status the checks' own order, which follows the way a box is set up
  const ordered = [...findings].sort((a, b) => RANK[b.status] - RANK[a.status]);
  return {
    at,
    tookMs: Math.max(0, Math.round(tookMs)),
    status: (['ok', 'warn', 'fail'] as const)[worst],
    exitCode: worst,
    counts,
    findings: ordered,
  };
}
