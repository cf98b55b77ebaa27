import { useEffect } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime } from '../i18n.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine, Table } from '../widgets.tsx';

interface CloudStatus {
  enabled: boolean;
  connected: boolean;
  session: number;
  reconnects: number;
  lastConnectedAt: string | null;
  lastAckAt: string | null;
  overBudget: boolean;
  backlog: { stream: string; events: number; bytes: number; oldestAt: string | null; dropped: number }[];
  documents: { doc: string; version: number; issuedAt: string | null }[];
}
interface Rollouts {
  items: { id: string; text: string; total: number; delivered: number; failed: number; pending: number }[];
}

/** The link to the cloud platform: connected or not, what waits to be sent, the documents it keeps in step. */
export function Cloud() {
  const { lang, tr, onLive } = useApp();
  const status = useData(() => api<CloudStatus>('/cloud'), []);
  const rollouts = useData(() => api<Rollouts>('/rollouts'), []);
  // the backlog moves with every event: a slow refresh is enough, and only while the page is open
  useEffect(() => {
    const t = setInterval(() => status.reload(), 10_000);
    const stop = onLive((e) => e === 'alert' && status.reload());
    return () => {
      clearInterval(t);
      stop();
    };
  }, []);
  const s = status.data;
  return (
    <div class="grid">
      <Card title={tr('cloud')} wide>
        <ErrorLine error={status.error} />
        {s && !s.enabled && <p class="muted">{tr('cloudOff')}</p>}
        {s?.enabled && (
          <dl class="facts">
            <dt>{tr('status')}</dt>
            <dd data-figure="cloud-connected">
              <span class={`badge status-${s.connected ? 'ok' : 'offline'}`}>
                {tr(s.connected ? 'status_ok' : 'status_offline')}
              </span>
              {s.overBudget ? ` ${tr('overBudget')}` : ''}
            </dd>
            <dt>{tr('lastSeen')}</dt>
            <dd>{dateTime(lang, s.lastAckAt)}</dd>
            <dt>{tr('reconnects')}</dt>
            <dd>{s.reconnects}</dd>
          </dl>
        )}
      </Card>
      {s?.enabled && (
        <Card title={tr('backlog')}>
          <Table>
            <thead>
              <tr>
                <th>{tr('stream')}</th>
                <th>{tr('count')}</th>
                <th>KB</th>
                <th>{tr('oldest')}</th>
                <th>{tr('dropped')}</th>
              </tr>
            </thead>
            <tbody>
              {s.backlog.map((b) => (
                <tr key={b.stream}>
                  <td>{b.stream}</td>
                  <td class="num">{b.events}</td>
                  <td class="num">{Math.ceil(b.bytes / 1024)}</td>
                  <td>{dateTime(lang, b.oldestAt)}</td>
                  <td class="num">{b.dropped}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      )}
      {s?.enabled && (
        <Card title={tr('documents')}>
          <Table>
            <tbody>
              {s.documents.map((d) => (
                <tr key={d.doc}>
                  <td>{d.doc}</td>
                  <td class="num">v{d.version}</td>
                  <td>{dateTime(lang, d.issuedAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      )}
      <Card title={tr('rollouts')} wide>
        <ErrorLine error={rollouts.error} />
        <Table>
          <tbody>
            {(rollouts.data?.items ?? []).map((r) => (
              <tr key={r.id}>
                <td>{r.text}</td>
                <td class="num">
                  {r.delivered}/{r.total}
                </td>
                <td class="num">{r.failed ? `✗ ${r.failed}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </Table>
        {rollouts.data?.items.length === 0 && <p class="muted">{tr('noData')}</p>}
      </Card>
    </div>
  );
}
