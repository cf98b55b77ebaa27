import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime, money, reasonText, type TextKey } from '../i18n.ts';
import { useData } from '../use-data.ts';
import { ChartBox } from '../chart-box.tsx';
import { Card, ErrorLine, StatusBadge, Table } from '../widgets.tsx';
import { DeviceActions, ProvisionDevice } from './device-actions.tsx';
import { DoorPanel } from './door.tsx';
import { LockerPanel } from './locker.tsx';

interface Reason {
  code: string;
  message: string;
}
interface Device {
  id: string;
  kind: string;
  kindLabel: string;
  name: string | null;
  disabled: boolean;
  online: boolean;
  status: string;
  reasons: Reason[];
  firmware: string | null;
  lastSeenAt: string | null;
}

const STATUSES = ['fault', 'offline', 'degraded', 'unknown', 'ok'];

/** Every device, searchable and filtered by status and kind; live. */
export function Devices({ query }: { query: URLSearchParams }) {
  const { lang, tr, onLive } = useApp();
  const [text, setText] = useState('');
  const [status, setStatus] = useState(query.get('status') ?? '');
  const [kind, setKind] = useState('');
  const devices = useData(() => api<{ items: Device[] }>('/devices'), []);
  useEffect(() => onLive((e) => (e === 'health' || e === 'reconnected') && devices.reload()), []);
  const all = devices.data?.items ?? [];
  const kinds = [...new Set(all.map((d) => d.kind))].sort();
  const needle = text.trim().toLowerCase();
  const shown = all.filter(
    (d) =>
      (!status || d.status === status) &&
      (!kind || d.kind === kind) &&
      (!needle || d.id.toLowerCase().includes(needle) || (d.name ?? '').toLowerCase().includes(needle)),
  );
  return (
    <div class="grid">
      <Card title={`${tr('devices')} (${shown.length}/${all.length})`} wide>
        <div class="filters">
          <input
            type="search"
            placeholder={tr('searchDevices')}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            aria-label={tr('search')}
          />
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)} aria-label={tr('status')}>
            <option value="">{tr('all')}</option>
            {STATUSES.map((s) => (
              <option value={s} key={s}>
                {tr(`status_${s}` as 'status_ok')}
              </option>
            ))}
          </select>
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value)} aria-label={tr('kind')}>
            <option value="">{tr('all')}</option>
            {kinds.map((k) => (
              <option value={k} key={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <ErrorLine error={devices.error} />
        <Table>
          <thead>
            <tr>
              <th>{tr('id')}</th>
              <th>{tr('name')}</th>
              <th>{tr('kind')}</th>
              <th>{tr('status')}</th>
              <th>{tr('reasons')}</th>
              <th>{tr('lastSeen')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((d) => (
              <tr key={d.id} data-device={d.id}>
                <td>
                  <a href={`#/devices/${encodeURIComponent(d.id)}`}>{d.id}</a>
                </td>
                <td>{d.name ?? '—'}</td>
                <td>{d.kindLabel}</td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td class="reasons">{d.reasons.map((r) => reasonText(lang, r.code, r.message)).join('; ')}</td>
                <td>{dateTime(lang, d.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
      <ProvisionDevice onProvisioned={devices.reload} />
    </div>
  );
}

/** Temperature and signal over the last day, from the gateway's samples. */
function TelemetryChart({ id }: { id: string }) {
  const { lang, tr } = useApp();
  const samples = useData(
    () =>
      api<{ items: { at: string; temperatureC: number | null; rssiDbm: number | null }[] }>(
        `/devices/${encodeURIComponent(id)}/telemetry-history?hours=24`,
      ),
    [id],
  );
  const rows = samples.data?.items ?? [];
  return (
    <Card title={tr('telemetryChart')} wide>
      <ErrorLine error={samples.error} />
      {samples.data && rows.length === 0 && <p class="muted">{tr('noData')}</p>}
      {rows.length > 0 && (
        <ChartBox
          id="telemetry"
          ready={samples.data !== undefined}
          deps={[samples.data, lang]}
          draw={(c, el) =>
            c.telemetryLines(el, rows, { temperature: tr('temperature'), signal: tr('signal') }, (at) =>
              dateTime(lang, at).slice(-8, -3),
            )
          }
        />
      )}
    </Card>
  );
}

/** What the device did lately: its purchases, newest first, live. */
function DeviceRedemptions({ id }: { id: string }) {
  const { lang, tr, onLive } = useApp();
  const list = useData(
    () =>
      api<{
        items: { id: string; createdAt: string; memberId: string; state: string; result: { payableFen: number } }[];
      }>(`/redemptions?device=${encodeURIComponent(id)}&limit=20`),
    [id],
    1000,
  );
  useEffect(
    () =>
      onLive(
        (e, data) =>
          (e === 'redemption' ? (data as { deviceId?: string }).deviceId === id : e === 'reconnected') && list.reload(),
      ),
    [id],
  );
  const items = list.data?.items ?? [];
  return (
    <Card title={tr('recentActivity')} wide>
      <ErrorLine error={list.error} />
      {items.length === 0 ? (
        <p class="muted">{tr('noData')}</p>
      ) : (
        <Table>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>{dateTime(lang, r.createdAt)}</td>
                <td>{r.memberId}</td>
                <td>
                  <span class={`badge state-${r.state}`}>{tr(`state_${r.state}` as TextKey)}</span>
                </td>
                <td class="num">{money(r.result.payableFen)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

/** The latest telemetry: its figures as facts, anything nested folded away. */
function Telemetry({ value, at }: { value: unknown; at: string | null }) {
  const { lang, tr } = useApp();
  if (typeof value !== 'object' || value === null) return null;
  const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => k !== 'kind');
  const scalar = entries.filter(([, v]) => v === null || typeof v !== 'object');
  const nested = entries.filter(([, v]) => v !== null && typeof v === 'object');
  return (
    <div class="telemetry">
      <h3>
        {tr('telemetry')} <span class="muted">{dateTime(lang, at)}</span>
      </h3>
      <dl class="facts">
        {scalar.map(([k, v]) => [<dt key={`k-${k}`}>{k}</dt>, <dd key={`v-${k}`}>{String(v)}</dd>])}
      </dl>
      {nested.map(([k, v]) => (
        <details key={k}>
          <summary>{k}</summary>
          <pre>{JSON.stringify(v, null, 2)}</pre>
        </details>
      ))}
    </div>
  );
}

interface DeviceDetail extends Device {
  telemetry: unknown;
  telemetryAt: string | null;
  commands: string[];
}
interface History {
  items: { at: string; status: string; reasons: Reason[]; event: string }[];
}

/** One device: its state now, its health history as a timeline, its latest telemetry. */
export function DevicePage({ id }: { id: string }) {
  const { lang, tr, onLive } = useApp();
  const path = `/devices/${encodeURIComponent(id)}`;
  const device = useData(() => api<DeviceDetail>(path), [id]);
  const history = useData(() => api<History>(`${path}/health-history?limit=50`), [id]);
  useEffect(
    () =>
      onLive((e, data) => {
        if (e === 'reconnected' || (e === 'health' && (data as { deviceId?: string }).deviceId === id)) {
          device.reload();
          history.reload();
        }
      }),
    [id],
  );
  const d = device.data;
  return (
    <div class="grid">
      <Card title={d ? `${d.name ?? d.id} · ${d.kindLabel}` : id} wide>
        <a href="#/devices">← {tr('back')}</a>
        <ErrorLine error={device.error} />
        {d && (
          <dl class="facts">
            <dt>{tr('id')}</dt>
            <dd>{d.id}</dd>
            <dt>{tr('status')}</dt>
            <dd>
              <StatusBadge status={d.status} />
            </dd>
            <dt>{tr('reasons')}</dt>
            <dd>{d.reasons.map((r) => reasonText(lang, r.code, r.message)).join('; ') || '—'}</dd>
            <dt>{tr('firmware')}</dt>
            <dd>{d.firmware ?? '—'}</dd>
            <dt>{tr('lastSeen')}</dt>
            <dd>{dateTime(lang, d.lastSeenAt)}</dd>
          </dl>
        )}
        {d?.telemetry !== undefined && d?.telemetry !== null && <Telemetry value={d.telemetry} at={d.telemetryAt} />}
      </Card>
      <Card title={tr('healthHistory')} wide>
        <ErrorLine error={history.error} />
        <ol class="timeline">
          {(history.data?.items ?? []).map((h) => (
            <li key={`${h.at}-${h.event}`} class={`status-${h.status}`}>
              <span class="muted">{dateTime(lang, h.at)}</span> <StatusBadge status={h.status} /> <code>{h.event}</code>{' '}
              {h.reasons.map((r) => reasonText(lang, r.code, r.message)).join('; ')}
            </li>
          ))}
        </ol>
      </Card>
      <TelemetryChart id={id} />
      {d && d.kind !== 'door_reader' && d.kind !== 'parcel_locker' && <DeviceRedemptions id={d.id} />}
      {d && <DeviceActions device={d} onChanged={device.run} />}
      {d?.kind === 'parcel_locker' && <LockerPanel deviceId={d.id} />}
      {d?.kind === 'door_reader' && <DoorPanel deviceId={d.id} />}
    </div>
  );
}
