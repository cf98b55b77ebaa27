import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime } from '../i18n.ts';
import { accessReasonText, txOr } from '../i18n-extra.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine, Table } from '../widgets.tsx';
import { OnceValue, useTx } from './device-actions.tsx';

interface AccessEntry {
  at: string;
  deviceId: string;
  door: string;
  zone: string;
  subject: string | null;
  method: string;
  decision: string;
  reason: string;
}
interface DoorCaps {
  doors?: { id: string; location?: string }[];
}

const MAX_VISITOR_DAYS = 30;
const DAY_MS = 86_400_000;

/** An instant as the value of a datetime-local input, read in Shanghai like every time of the console. */
function shanghaiLocal(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
}
/** A datetime-local input's value (a Shanghai wall time) as ISO 8601. */
const fromShanghaiLocal = (v: string): string => new Date(`${v}:00+08:00`).toISOString();

export function VisitorCodeForm({ deviceId, zones }: { deviceId: string; zones: string[] }) {
  const { lang, tr } = useApp();
  const t = useTx();
  const blank = () => ({
    zone: zones[0] ?? '',
    label: '',
    hostMemberId: '',
    validFrom: '',
    expiresAt: shanghaiLocal(Date.now() + DAY_MS),
    uses: '1',
  });
  const [form, setForm] = useState(blank);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [made, setMade] = useState<{ code: string; expiresAt: string; zone: string } | null>(null);
  // the zone list arrives after the log: fill the zone once it is known, never over what staff typed
  useEffect(() => {
    if (!form.zone && zones[0]) setForm((f) => ({ ...f, zone: zones[0] ?? '' }));
  }, [zones.join('\n')]);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, string | number> = {
        zone: form.zone.trim(),
        expiresAt: fromShanghaiLocal(form.expiresAt),
      };
      if (form.label.trim()) body.label = form.label.trim();
      if (form.hostMemberId.trim()) body.hostMemberId = form.hostMemberId.trim();
      if (form.validFrom) body.validFrom = fromShanghaiLocal(form.validFrom);
      if (form.uses) body.uses = Number(form.uses);
      const r = await api<{ code: string; expiresAt: string }>('/access/visitor-codes', { method: 'POST', body });
      setMade({ ...r, zone: form.zone.trim() });
      setForm(blank());
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };
  const listId = `zones-${deviceId}`;
  return (
    <>
      <form
        class="filters"
        data-visitor-code
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void submit();
        }}
      >
        <label>
          {t('zone')}
          <input
            name="zone"
            required
            maxLength={64}
            list={listId}
            value={form.zone}
            onInput={(e) => setForm({ ...form, zone: e.currentTarget.value })}
          />
          <datalist id={listId}>
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </label>
        <label>
          {t('visitorLabel')} ({t('optional')})
          <input
            name="label"
            maxLength={64}
            value={form.label}
            onInput={(e) => setForm({ ...form, label: e.currentTarget.value })}
          />
        </label>
        <label>
          {t('hostMember')} ({t('optional')})
          <input
            name="hostMemberId"
            maxLength={64}
            value={form.hostMemberId}
            onInput={(e) => setForm({ ...form, hostMemberId: e.currentTarget.value })}
          />
        </label>
        <label>
          {t('validFrom')} ({t('optional')})
          <input
            type="datetime-local"
            name="validFrom"
            value={form.validFrom}
            onInput={(e) => setForm({ ...form, validFrom: e.currentTarget.value })}
          />
        </label>
        <label>
          {t('expiresAt')}
          <input
            type="datetime-local"
            name="expiresAt"
            required
            min={shanghaiLocal(Date.now())}
            max={shanghaiLocal(Date.now() + MAX_VISITOR_DAYS * DAY_MS)}
            value={form.expiresAt}
            onInput={(e) => setForm({ ...form, expiresAt: e.currentTarget.value })}
          />
        </label>
        <label>
          {t('uses')}
          <input
            type="number"
            name="uses"
            class="narrow"
            min={1}
            max={100}
            value={form.uses}
            onInput={(e) => setForm({ ...form, uses: e.currentTarget.value })}
          />
        </label>
        <button type="submit" disabled={busy || !form.zone.trim() || !form.expiresAt}>
          {t('create')}
        </button>
        <p class="muted full">
          {t('maxVisitorDays')} · {t('zoneHint')}
        </p>
      </form>
      <ErrorLine error={error} />
      {made && (
        <div class="once" role="alert" data-code-once>
          <h3>
            {t('visitorCodeOnce')} · {t('zone')} {made.zone}
          </h3>
          <OnceValue value={made.code} />
          <p class="muted">
            {t('validUntil')} {dateTime(lang, made.expiresAt)}
          </p>
          <button type="button" onClick={() => setMade(null)}>
            {tr('confirm')}
          </button>
        </div>
      )}
    </>
  );
}

/** A door reader: its access log (live on the reader's health changes), and a visitor code (operator). */
interface ActiveCode {
  id: string;
  zone: string;
  label: string | null;
  hostMemberId: string | null;
  expiresAt: string;
  usesLeft: number | null;
}

/** The visitor codes that still open a door (never the codes themselves); operators revoke one at once. */
function VisitorCodes() {
  const { lang, tr, canOperate } = useApp();
  const t = useTx();
  const codes = useData(() => api<{ items: ActiveCode[] }>('/access/visitor-codes'), []);
  const [error, setError] = useState<Error | undefined>(undefined);
  const revoke = (c: ActiveCode) => {
    if (!window.confirm(`${t('revokeVisitorCode')}: ${c.label ?? c.zone}?`)) return;
    api(`/access/visitor-codes/${c.id}`, { method: 'DELETE' })
      .then(() => {
        setError(undefined);
        codes.run();
      })
      .catch((e: Error) => setError(e));
  };
  const items = codes.data?.items ?? [];
  return (
    <Card title={`${t('activeVisitorCodes')} (${items.length})`} wide>
      <ErrorLine error={codes.error ?? error} />
      {items.length === 0 ? (
        <p class="muted">{tr('noData')}</p>
      ) : (
        <Table>
          <tbody>
            {items.map((c) => (
              <tr key={c.id} data-visitor-code={c.id}>
                <td>{c.label ?? '—'}</td>
                <td>{c.zone}</td>
                <td>{dateTime(lang, c.expiresAt)}</td>
                <td class="num">{c.usesLeft ?? '∞'}</td>
                <td>
                  {canOperate && (
                    <button type="button" class="act secondary" onClick={() => revoke(c)}>
                      {t('revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

export function DoorPanel({ deviceId }: { deviceId: string }) {
  const { lang, tr, canOperate, onLive } = useApp();
  const t = useTx();
  const log = useData(
    () => api<{ items: AccessEntry[] }>(`/access/log?device=${encodeURIComponent(deviceId)}&limit=200`),
    [deviceId],
  );
  const device = useData(
    () => api<{ capabilities: DoorCaps | null }>(`/devices/${encodeURIComponent(deviceId)}`),
    [deviceId],
  );
  // the stream carries no access events: reload after a gap, or on demand
  useEffect(() => onLive((e) => e === 'reconnected' && log.reload()), [deviceId]);
  const items = log.data?.items ?? [];
  // the zones these doors open: the ones seen in the log, else each door's own "device/door" zone
  const seen = [...new Set(items.map((e) => e.zone))];
  const doors = device.data?.capabilities?.doors ?? [];
  const zones = [...new Set([...seen, ...doors.map((d) => `${deviceId}/${d.id}`)])];
  return (
    <>
      {canOperate && (
        <Card title={t('createVisitorCode')} wide>
          <VisitorCodeForm deviceId={deviceId} zones={zones} />
        </Card>
      )}
      <VisitorCodes />
      <Card title={`${t('accessLog')} (${items.length})`} wide>
        <div class="filters">
          <button type="button" class="secondary" onClick={() => log.run()}>
            ↻ {t('refresh')}
          </button>
        </div>
        <ErrorLine error={log.error} />
        {log.data && items.length === 0 && <p class="muted">{tr('noData')}</p>}
        {items.length > 0 && (
          <div class="tight">
            <Table>
              <thead>
                <tr>
                  <th>{tr('time')}</th>
                  <th>{t('door')}</th>
                  <th>{t('zone')}</th>
                  <th>{t('subject')}</th>
                  <th>{t('method')}</th>
                  <th>{t('decision')}</th>
                  <th>{tr('reasons')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e, i) => (
                  <tr key={`${e.at}-${i}`} class={e.decision === 'denied' ? 'denied' : ''}>
                    <td class="nowrap">{dateTime(lang, e.at)}</td>
                    <td>{e.door}</td>
                    <td class="nowrap">{e.zone}</td>
                    <td class="nowrap">{e.subject ?? '—'}</td>
                    <td class="nowrap">{txOr(lang, `method_${e.method}`, e.method)}</td>
                    <td>
                      <span class={`badge ${e.decision === 'granted' ? 'status-ok' : 'status-fault'}`}>
                        {txOr(lang, e.decision, e.decision)}
                      </span>
                    </td>
                    <td class="text-cell">{accessReasonText(lang, e.reason)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
      </Card>
    </>
  );
}
