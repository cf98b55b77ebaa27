import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine } from '../widgets.tsx';
import { AlertList, type AlertView } from './alert-list.tsx';

const STATES = ['active', 'open', 'acknowledged', 'cleared', 'all'] as const;

/** Alerts now and in history: who acknowledged what, with which note, and when each cleared. */
export function Alerts() {
  const { tr, onLive } = useApp();
  const [state, setState] = useState<(typeof STATES)[number]>('active');
  const alerts = useData(() => api<{ alerts: AlertView[] }>(`/alerts?state=${state}&limit=200`), [state], 150);
  useEffect(() => onLive((e) => (e === 'alert' || e === 'reconnected') && alerts.reload()), []);
  const label = (s: (typeof STATES)[number]) =>
    s === 'active' ? tr('openAlerts') : s === 'all' ? tr('all') : s === 'open' ? tr('notAcknowledged') : tr(s);
  return (
    <Card title={tr('alerts')} wide>
      <div class="filters" role="tablist">
        {STATES.map((s) => (
          <button type="button" key={s} class={s === state ? 'tab on' : 'tab'} onClick={() => setState(s)}>
            {label(s)}
          </button>
        ))}
      </div>
      <ErrorLine error={alerts.error} />
      {alerts.data && <AlertList alerts={alerts.data.alerts} changed={alerts.run} />}
    </Card>
  );
}
