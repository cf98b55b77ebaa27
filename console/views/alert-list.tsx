import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime, reasonText } from '../i18n.ts';
import { ErrorLine, SeverityBadge } from '../widgets.tsx';

export interface AlertView {
  id: number;
  deviceId: string | null;
  code: string;
  severity: string;
  message: string;
  raisedAt: number;
  acknowledged: { at: number; by: string; note: string } | null;
  cleared: { at: number; by: string | null } | null;
}

/** Alerts with what staff may do about them: acknowledge (with a note) and clear, for operators only. */
export function AlertList({ alerts, changed }: { alerts: AlertView[]; changed: () => void }) {
  const { lang, tr, canOperate } = useApp();
  const [error, setError] = useState<Error | undefined>(undefined);
  const act = (id: number, what: 'acknowledge' | 'clear') => {
    const body = what === 'acknowledge' ? { note: window.prompt(tr('notePrompt')) ?? '' } : undefined;
    api(`/alerts/${id}/${what}`, { method: 'POST', body })
      .then(() => {
        setError(undefined);
        changed();
      })
      .catch((e: Error) => setError(e));
  };
  if (alerts.length === 0) return <p class="muted">{tr('noAlerts')}</p>;
  return (
    <div>
      <ErrorLine error={error} />
      <ul class="alerts">
        {alerts.map((a) => (
          <li key={a.id} class={`alert sev-${a.severity}${a.acknowledged ? ' acked' : ''}`} data-code={a.code}>
            <div class="alert-head">
              <SeverityBadge severity={a.severity} />
              <strong>
                {a.deviceId ? <a href={`#/devices/${encodeURIComponent(a.deviceId)}`}>{a.deviceId}</a> : tr('gateway')}
              </strong>
              <span class="muted">
                {tr('since')} {dateTime(lang, a.raisedAt)}
              </span>
            </div>
            <div class="alert-text">{reasonText(lang, a.code, a.message)}</div>
            {a.acknowledged && (
              <div class="muted">
                {tr('acknowledged')}: {a.acknowledged.by} · {dateTime(lang, a.acknowledged.at)}
                {a.acknowledged.note ? ` · ${a.acknowledged.note}` : ''}
              </div>
            )}
            {a.cleared && (
              <div class="muted">
                {tr('cleared')}: {a.cleared.by ?? '—'} · {dateTime(lang, a.cleared.at)}
              </div>
            )}
            {canOperate && !a.cleared && (
              <div class="actions">
                {!a.acknowledged && (
                  <button type="button" class="act" onClick={() => act(a.id, 'acknowledge')}>
                    {tr('acknowledge')}
                  </button>
                )}
                <button type="button" class="act secondary" onClick={() => act(a.id, 'clear')}>
                  {tr('clear')}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
