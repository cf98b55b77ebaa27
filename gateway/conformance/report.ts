import type { KindModule } from '../../devices/kind-module.ts';
import { PROTOCOL_VERSION } from '../../firmware-protocol/src/version.ts';
import type { ClauseResult, Verdict } from './clauses.ts';

/** What `linli conformance --json` prints: the device, the verdict and every clause. */
export interface ConformanceReport {
  protocol: string;
  /** The kit stood in for the gateway. */
  mode: 'gateway';
  device: { id: string; kind: string; label: string };
  /** With --strict, a clause "not observed" fails the run too. */
  strict: boolean;
  /** The run was ended early: it proves nothing, whatever passed. */
  interrupted: boolean;
  ok: boolean;
  summary: Record<Verdict, number>;
  clauses: ClauseResult[];
}

const LABEL: Readonly<Record<Verdict, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  not_observed: 'NOT OBSERVED',
  not_exercised: 'NOT EXERCISED',
};

export function buildReport(
  m: KindModule,
  id: string,
  run: { clauses: ClauseResult[]; interrupted: boolean },
  strict: boolean,
): ConformanceReport {
  const { clauses, interrupted } = run;
  const summary: Record<Verdict, number> = { pass: 0, fail: 0, not_observed: 0, not_exercised: 0 };
  for (const c of clauses) summary[c.verdict] += 1;
  return {
    protocol: PROTOCOL_VERSION,
    mode: 'gateway',
    device: { id, kind: m.wire.kind, label: m.wire.label },
    strict,
    interrupted,
    // exit 0 only when no clause failed (--strict: nor was any "not observed") in a run that went to its end
    ok: !interrupted && summary.fail === 0 && (!strict || summary.not_observed === 0),
    summary,
    clauses,
  };
}

/** The clause list as the kit prints it: verdict, clause numbers, what was checked, and why. */
export function formatReport(r: ConformanceReport): string {
  const fwpWidth = Math.max(...r.clauses.map((c) => c.fwp.join(', ').length));
  const lines = [
    `Linli conformance kit: ${r.device.id}, ${r.device.label} (${r.device.kind}), ` +
      `device protocol ${r.protocol}; the kit stood in for the gateway`,
    '',
  ];
  for (const c of r.clauses) {
    lines.push(`${LABEL[c.verdict].padEnd(13)} ${c.fwp.join(', ').padEnd(fwpWidth)}  ${c.title}`);
    if (c.reason) lines.push(`${' '.repeat(14 + fwpWidth + 2)}${c.reason}`);
  }
  const s = r.summary;
  lines.push(
    '',
    `${s.pass} passed, ${s.fail} failed, ${s.not_observed} not observed, ${s.not_exercised} not exercised: ` +
      `${r.interrupted ? 'INTERRUPTED' : r.ok ? 'CONFORMS' : 'DOES NOT CONFORM'}${r.strict ? ' (--strict)' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The clause list of a kind before any run (for `--list`): clause numbers and what is checked. */
export function formatClauseList(clauses: readonly { fwp: readonly string[]; title: string }[]): string {
  const fwpWidth = Math.max(...clauses.map((c) => c.fwp.join(', ').length));
  return `${clauses.map((c) => `${c.fwp.join(', ').padEnd(fwpWidth)}  ${c.title}`).join('\n')}\n`;
}
