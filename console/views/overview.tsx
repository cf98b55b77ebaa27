import { useEffect } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { money, shanghaiMidnight } from '../i18n.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine, StatusBadge } from '../widgets.tsx';
import { AlertList, type AlertView } from './alert-list.tsx';

interface Activity {
  purchases: { approved: number; savedFen: number; paidFen: number; declined: number };
  parcels: { deposited: number; pickedUp: number; waiting: number };
  doors: { opened: number; refused: number };
}
interface Devices {
  items: { id: string; status: string }[];
}

const STATUSES = ['fault', 'offline', 'degraded', 'unknown', 'ok'];

/** What staff look at first: devices by status, the open alerts, and today's activity — all live. */
export function Overview() {
  const { tr, onLive } = useApp();
  const devices = useData(() => api<Devices>('/devices'), []);
  const alerts = useData(() => api<{ alerts: AlertView[] }>('/alerts?state=active'), [], 150);
  const activity = useData(
    () => api<Activity>(`/activity?since=${encodeURIComponent(shanghaiMidnight().toISOString())}`),
    [],
    1000,
  );
  useEffect(
    () =>
      onLive((event) => {
        if (event === 'health') devices.reload();
        else if (event === 'alert') alerts.reload();
        else if (event === 'redemption') activity.reload();
        else if (event === 'reconnected') {
          devices.run();
          alerts.run();
          activity.run();
        }
      }),
    [],
  );
  const counts = new Map<string, number>();
  for (const d of devices.data?.items ?? []) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  const a = activity.data;
  return (
    <div class="grid">
      <Card title={tr('devicesByStatus')}>
        <ErrorLine error={devices.error} />
        <div class="tiles">
          {STATUSES.map((s) => (
            <a class={`tile status-${s}`} href={`#/devices?status=${s}`} key={s} data-status={s}>
              <span class="tile-n">{counts.get(s) ?? 0}</span>
              <StatusBadge status={s} />
            </a>
          ))}
        </div>
      </Card>
      <Card title={tr('todayActivity')}>
        <ErrorLine error={activity.error} />
        {a && (
          <dl class="figures">
            <div>
              <dt>{tr('purchases')}</dt>
              <dd data-figure="purchases">{a.purchases.approved}</dd>
            </div>
            <div>
              <dt>{tr('amount')}</dt>
              <dd>{money(a.purchases.paidFen)}</dd>
            </div>
            <div>
              <dt>{tr('saved')}</dt>
              <dd>{money(a.purchases.savedFen)}</dd>
            </div>
            <div>
              <dt>{tr('parcelsWaiting')}</dt>
              <dd data-figure="parcels-waiting">{a.parcels.waiting}</dd>
            </div>
            <div>
              <dt>{tr('parcelsIn')}</dt>
              <dd>{a.parcels.deposited}</dd>
            </div>
            <div>
              <dt>{tr('doorsOpened')}</dt>
              <dd>{a.doors.opened}</dd>
            </div>
            <div>
              <dt>{tr('declined')}</dt>
              <dd>{a.purchases.declined}</dd>
            </div>
          </dl>
        )}
      </Card>
      <Card title={tr('openAlerts')} wide>
        <ErrorLine error={alerts.error} />
        {alerts.data && <AlertList alerts={alerts.data.alerts} changed={alerts.run} />}
      </Card>
    </div>
  );
}
