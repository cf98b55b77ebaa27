import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime } from '../i18n.ts';
import { checkName, td } from '../i18n-doctor.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine } from '../widgets.tsx';

interface Finding {
  id: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix: string;
}
interface DoctorReport {
  at: number;
  tookMs: number;
  status: 'ok' | 'warn' | 'fail';
  counts: { ok: number; warn: number; fail: number };
  findings: Finding[];
}

/** How each status looks: the alert list's colours (a failure as critical, a warning as a warning). */
const LOOK = { fail: 'alert sev-critical', warn: 'alert', ok: 'alert sev-info acked' } as const;
const BADGE = { fail: 'status-fault', warn: 'status-degraded', ok: 'status-ok' } as const;

/** 诊断: the box's findings (GET /doctor), problems first, each with the one line that fixes it. */
export function Doctor() {
  const { lang } = useApp();
  const [busy, setBusy] = useState(false);
  const report = useData(() => {
    setBusy(true);
    return api<DoctorReport>('/doctor').finally(() => setBusy(false));
  }, []);
  const r = report.data;
  return (
    <div class="grid">
      <Card title={td(lang, 'doctorTitle')} wide>
        <p class="muted">{td(lang, 'doctorIntro')}</p>
        <ErrorLine error={report.error} />
        {r && (
          <p data-figure="doctor-summary" data-status={r.status}>
            <span class={`badge ${BADGE[r.status]}`}>{td(lang, `find_${r.status}`)}</span>{' '}
            {r.counts.fail + r.counts.warn === 0
              ? `${td(lang, 'allOk')} (${r.counts.ok})`
              : `${r.counts.fail} ${td(lang, 'failures')} · ${r.counts.warn} ${td(lang, 'warnings')} · ` +
                `${r.counts.ok} ${td(lang, 'passed')}`}
            <span class="muted">
              {' '}
              · {td(lang, 'checkedAt')} {dateTime(lang, r.at)} ({r.tookMs} ms)
            </span>
          </p>
        )}
        <div class="actions">
          <button type="button" class="secondary" disabled={busy} onClick={() => report.run()}>
            {busy ? td(lang, 'checking') : td(lang, 'recheck')}
          </button>
        </div>
        {r && (
          <ul class="alerts">
            {r.findings.map((f, i) => (
              <li key={`${f.id}-${i}`} class={LOOK[f.status]} data-finding={f.id} data-status={f.status}>
                <div class="alert-head">
                  <span class={`badge ${BADGE[f.status]}`}>{td(lang, `find_${f.status}`)}</span>
                  <strong>{checkName(lang, f.id)}</strong>
                </div>
                <div>{f.message}</div>
                {f.status !== 'ok' && f.fix && (
                  <div class="fix">
                    {td(lang, 'fixLabel')}: <code>{f.fix}</code>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
