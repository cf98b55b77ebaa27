import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime, type TextKey } from '../i18n.ts';
import { fromShanghaiLocal, RECORD_ID, RECORD_ID_PATTERN, shanghaiLocal, useTa } from '../i18n-access.ts';
import { accessReasonText, txOr } from '../i18n-extra.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine, Table } from '../widgets.tsx';
import { VisitorCodeForm } from './door.tsx';
import { Confirm, useTx } from './device-actions.tsx';

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
interface DoorReader {
  id: string;
  name: string | null;
}

const HHMM = /^([01]\d|2[0-4]):[0-5]\d$/;
const WEEKDAYS: { n: string; key: TextKey }[] = [
  { n: '1', key: 'mon' },
  { n: '2', key: 'tue' },
  { n: '3', key: 'wed' },
  { n: '4', key: 'thu' },
  { n: '5', key: 'fri' },
  { n: '6', key: 'sat' },
  { n: '7', key: 'sun' },
];
const DECISION_BADGE: Record<string, string> = { granted: 'status-ok', denied: 'status-fault', checked_in: 'sev-info' };
const LIMITS = [100, 200, 500, 1000];
const METHODS = ['card', 'qr', 'visitor_code'];

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** One write of the form: busy, its error, what it did. */
function useWrite() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [done, setDone] = useState('');
  const run = async (fn: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setDone('');
    try {
      setDone(await fn());
      return true;
    } catch (e) {
      setError(asError(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run };
}

function Done({ text }: { text: string }) {
  if (!text) return null;
  return (
    <p class="answer" role="status">
      {text}
    </p>
  );
}

function ZoneList({ id, zones }: { id: string; zones: string[] }) {
  return (
    <datalist id={id}>
      {zones.map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
}

function ReaderList({ id, readers }: { id: string; readers: DoorReader[] }) {
  return (
    <datalist id={id}>
      {readers.map((d) => (
        <option key={d.id} value={d.id}>
          {d.name ?? d.id}
        </option>
      ))}
    </datalist>
  );
}

interface RuleForm {
  id: string;
  who: 'member' | 'tier';
  memberId: string;
  tier: string;
  zone: string;
  weekdays: string;
  from: string;
  to: string;
  validUntil: string;
}
const blankRule = (id = ''): RuleForm => ({
  id,
  who: 'member',
  memberId: '',
  tier: '',
  zone: '',
  weekdays: '1234567',
  from: '00:00',
  to: '24:00',
  validUntil: '',
});

/** PUT /access/rules/:id (admin): a member or a tier, a zone, days and hours, an end; replaces a rule of that id. */
function RuleEditor({ ruleId, zones, onSaved }: { ruleId: string; zones: string[]; onSaved: () => void }) {
  const { tr } = useApp();
  const t = useTx();
  const a = useTa();
  const [form, setForm] = useState<RuleForm>(() => blankRule(ruleId));
  // a rule picked in the list fills its id
  useEffect(() => setForm((f) => ({ ...f, id: ruleId })), [ruleId]);
  const w = useWrite();
  const idOk = RECORD_ID.test(form.id.trim());
  const whoValue = form.who === 'member' ? form.memberId.trim() : form.tier.trim();
  const whoOk = form.who === 'member' ? RECORD_ID.test(whoValue) : whoValue.length > 0 && whoValue.length <= 32;
  const timesOk = HHMM.test(form.from) && HHMM.test(form.to);
  const ready = idOk && whoOk && timesOk && form.zone.trim() !== '' && form.weekdays !== '';
  const toggleDay = (n: string, on: boolean) => {
    const days = new Set(form.weekdays.split('').filter(Boolean));
    if (on) days.add(n);
    else days.delete(n);
    setForm({ ...form, weekdays: [...days].sort().join('') });
  };
  const submit = () =>
    w.run(async () => {
      const id = form.id.trim();
      const body: Record<string, string> = {
        zone: form.zone.trim(),
        weekdays: form.weekdays,
        from: form.from,
        to: form.to,
      };
      if (form.who === 'member') body.memberId = whoValue;
      else body.tier = whoValue;
      if (form.validUntil) body.validUntil = fromShanghaiLocal(form.validUntil);
      await api(`/access/rules/${encodeURIComponent(id)}`, { method: 'PUT', body });
      onSaved();
      setForm(blankRule());
      return `${a('ruleSaved')}: ${id}`;
    });
  return (
    <>
      <form
        class="filters"
        data-rule-form
        onSubmit={(e) => {
          e.preventDefault();
          if (!w.busy && ready) void submit();
        }}
      >
        <label>
          {a('ruleId')}
          <input
            name="id"
            required
            maxLength={64}
            pattern={RECORD_ID_PATTERN}
            autocomplete="off"
            value={form.id}
            onInput={(e) => setForm({ ...form, id: e.currentTarget.value })}
          />
        </label>
        <label>
          {a('appliesTo')}
          <select
            name="who"
            value={form.who}
            onChange={(e) => setForm({ ...form, who: e.currentTarget.value as RuleForm['who'] })}
          >
            <option value="member">{a('aMember')}</option>
            <option value="tier">{a('aTier')}</option>
          </select>
        </label>
        {form.who === 'member' ? (
          <label>
            {a('memberId')}
            <input
              name="memberId"
              required
              maxLength={64}
              pattern={RECORD_ID_PATTERN}
              autocomplete="off"
              value={form.memberId}
              onInput={(e) => setForm({ ...form, memberId: e.currentTarget.value })}
            />
          </label>
        ) : (
          <label>
            {a('tier')}
            <input
              name="tier"
              required
              maxLength={32}
              value={form.tier}
              onInput={(e) => setForm({ ...form, tier: e.currentTarget.value })}
            />
          </label>
        )}
        <label>
          {a('zoneAll')}
          <input
            name="zone"
            required
            maxLength={64}
            list="access-zones"
            value={form.zone}
            onInput={(e) => setForm({ ...form, zone: e.currentTarget.value })}
          />
          <ZoneList id="access-zones" zones={['*', ...zones]} />
        </label>
        <fieldset class="acc-days">
          <legend>{a('weekdays')}</legend>
          {WEEKDAYS.map((d) => (
            <label key={d.n} class="check">
              <input
                type="checkbox"
                name={`day-${d.n}`}
                checked={form.weekdays.includes(d.n)}
                onChange={(e) => toggleDay(d.n, e.currentTarget.checked)}
              />
              {tr(d.key)}
            </label>
          ))}
        </fieldset>
        <label>
          {a('fromTime')}
          <input
            name="from"
            class="narrow"
            required
            inputMode="numeric"
            pattern="([01][0-9]|2[0-4]):[0-5][0-9]"
            placeholder="00:00"
            value={form.from}
            onInput={(e) => setForm({ ...form, from: e.currentTarget.value })}
          />
        </label>
        <label>
          {a('toTime')}
          <input
            name="to"
            class="narrow"
            required
            inputMode="numeric"
            pattern="([01][0-9]|2[0-4]):[0-5][0-9]"
            placeholder="24:00"
            value={form.to}
            onInput={(e) => setForm({ ...form, to: e.currentTarget.value })}
          />
        </label>
        <label>
          {a('validUntil')} ({t('optional')})
          <input
            type="datetime-local"
            name="validUntil"
            value={form.validUntil}
            onInput={(e) => setForm({ ...form, validUntil: e.currentTarget.value })}
          />
        </label>
        <button type="submit" disabled={w.busy || !ready}>
          {a('save')}
        </button>
        <p class="muted full">
          {a('ruleReplaceHint')}
          {!timesOk && ` · ${a('badTime')}`}
          {form.weekdays === '' && ` · ${a('noWeekday')}`}
        </p>
      </form>
      <ErrorLine error={w.error} />
      <Done text={w.done} />
    </>
  );
}

/** DELETE /access/rules/:id (admin), after a confirmation. */
function RuleDelete({ ruleId, onDeleted }: { ruleId: string; onDeleted: () => void }) {
  const a = useTa();
  const [id, setId] = useState(ruleId);
  useEffect(() => setId(ruleId), [ruleId]);
  const [asking, setAsking] = useState(false);
  const w = useWrite();
  const ok = RECORD_ID.test(id.trim());
  return (
    <>
      <form
        class="filters"
        data-rule-delete
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) setAsking(true);
        }}
      >
        <label>
          {a('ruleId')}
          <input
            name="ruleId"
            required
            maxLength={64}
            pattern={RECORD_ID_PATTERN}
            autocomplete="off"
            value={id}
            onInput={(e) => {
              setId(e.currentTarget.value);
              setAsking(false);
            }}
          />
        </label>
        <button type="submit" class="danger" disabled={!ok || w.busy}>
          {a('delete')}
        </button>
      </form>
      {asking && (
        <Confirm
          text={`${id.trim()}: ${a('deleteRuleConfirm')}`}
          busy={w.busy}
          onCancel={() => setAsking(false)}
          onConfirm={() =>
            void w
              .run(async () => {
                const target = id.trim();
                await api(`/access/rules/${encodeURIComponent(target)}`, { method: 'DELETE' });
                onDeleted();
                return `${a('ruleDeleted')}: ${target}`;
              })
              .then(() => setAsking(false))
          }
        />
      )}
      <ErrorLine error={w.error} />
      <Done text={w.done} />
    </>
  );
}

/** PUT /access/points/:device/:door (admin): the zone a door opens. */
function ZoneEditor({
  pick,
  readers,
  zones,
  onSaved,
}: {
  pick: { device: string; door: string; zone: string };
  readers: DoorReader[];
  zones: string[];
  onSaved: () => void;
}) {
  const { tr } = useApp();
  const t = useTx();
  const a = useTa();
  const [form, setForm] = useState(pick);
  useEffect(() => setForm(pick), [pick.device, pick.door, pick.zone]);
  const w = useWrite();
  const ready = RECORD_ID.test(form.device.trim()) && form.door.trim() !== '' && form.zone.trim() !== '';
  return (
    <>
      <form
        class="filters"
        data-zone-form
        onSubmit={(e) => {
          e.preventDefault();
          if (!ready || w.busy) return;
          void w.run(async () => {
            const device = form.device.trim();
            const door = form.door.trim();
            const zone = form.zone.trim();
            await api(`/access/points/${encodeURIComponent(device)}/${encodeURIComponent(door)}`, {
              method: 'PUT',
              body: { zone },
            });
            onSaved();
            return `${a('zoneSaved')}: ${device}/${door} → ${zone}`;
          });
        }}
      >
        <label>
          {tr('device')}
          <input
            name="device"
            required
            maxLength={64}
            list="access-readers"
            autocomplete="off"
            value={form.device}
            onInput={(e) => setForm({ ...form, device: e.currentTarget.value })}
          />
          <ReaderList id="access-readers" readers={readers} />
        </label>
        <label>
          {a('doorId')}
          <input
            name="door"
            class="narrow"
            required
            maxLength={16}
            value={form.door}
            onInput={(e) => setForm({ ...form, door: e.currentTarget.value })}
          />
        </label>
        <label>
          {t('zone')}
          <input
            name="zone"
            required
            maxLength={64}
            list="access-zones-points"
            value={form.zone}
            onInput={(e) => setForm({ ...form, zone: e.currentTarget.value })}
          />
          <ZoneList id="access-zones-points" zones={zones} />
        </label>
        <button type="submit" disabled={!ready || w.busy}>
          {a('setZone')}
        </button>
        <p class="muted full">{t('zoneHint')}</p>
      </form>
      <ErrorLine error={w.error} />
      <Done text={w.done} />
    </>
  );
}

/** PUT /access/events/:id (operator): a reader set to a community activity's check-in for a time. */
function CheckInEvent({ readers }: { readers: DoorReader[] }) {
  const { tr } = useApp();
  const a = useTa();
  const blank = () => ({
    id: '',
    name: '',
    deviceId: '',
    points: '10',
    startsAt: shanghaiLocal(Date.now()),
    endsAt: shanghaiLocal(Date.now() + 2 * 3600_000),
  });
  const [form, setForm] = useState(blank);
  const w = useWrite();
  const order = form.startsAt && form.endsAt && form.endsAt > form.startsAt;
  const ready =
    RECORD_ID.test(form.id.trim()) &&
    form.name.trim() !== '' &&
    RECORD_ID.test(form.deviceId.trim()) &&
    Number(form.points) >= 1 &&
    Boolean(order);
  return (
    <>
      <form
        class="filters"
        data-check-in-event
        onSubmit={(e) => {
          e.preventDefault();
          if (!ready || w.busy) return;
          void w.run(async () => {
            const id = form.id.trim();
            const body = {
              name: form.name.trim(),
              deviceId: form.deviceId.trim(),
              points: Number(form.points),
              startsAt: fromShanghaiLocal(form.startsAt),
              endsAt: fromShanghaiLocal(form.endsAt),
            };
            await api(`/access/events/${encodeURIComponent(id)}`, { method: 'PUT', body });
            setForm(blank());
            return `${a('eventSaved')}: ${id} · ${body.name}`;
          });
        }}
      >
        <label>
          {a('eventId')}
          <input
            name="id"
            required
            maxLength={64}
            pattern={RECORD_ID_PATTERN}
            autocomplete="off"
            value={form.id}
            onInput={(e) => setForm({ ...form, id: e.currentTarget.value })}
          />
        </label>
        <label class="grow">
          {a('eventName')}
          <input
            name="name"
            required
            maxLength={64}
            value={form.name}
            onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
        </label>
        <label>
          {tr('device')}
          <input
            name="deviceId"
            required
            maxLength={64}
            list="access-readers-event"
            autocomplete="off"
            value={form.deviceId}
            onInput={(e) => setForm({ ...form, deviceId: e.currentTarget.value })}
          />
          <ReaderList id="access-readers-event" readers={readers} />
        </label>
        <label>
          {a('awardPoints')}
          <input
            type="number"
            name="points"
            class="narrow"
            required
            min={1}
            max={10_000}
            step={1}
            value={form.points}
            onInput={(e) => setForm({ ...form, points: e.currentTarget.value })}
          />
        </label>
        <label>
          {a('startsAt')}
          <input
            type="datetime-local"
            name="startsAt"
            required
            value={form.startsAt}
            onInput={(e) => setForm({ ...form, startsAt: e.currentTarget.value })}
          />
        </label>
        <label>
          {a('endsAt')}
          <input
            type="datetime-local"
            name="endsAt"
            required
            min={form.startsAt}
            value={form.endsAt}
            onInput={(e) => setForm({ ...form, endsAt: e.currentTarget.value })}
          />
        </label>
        <button type="submit" disabled={w.busy || !ready}>
          {a('save')}
        </button>
        <p class="muted full">
          {a('checkInHint')}
          {!order && ` · ${a('endAfterStart')}`}
        </p>
      </form>
      <ErrorLine error={w.error} />
      <Done text={w.done} />
    </>
  );
}

/**
 * Door access: rules written and deleted by id (admin; the API lists none, so the rule ids seen opening doors
 * in the log are shown), doors' zones (admin), visitor codes and check-in activities (operator), the log.
 */
interface RuleRow {
  id: string;
  memberId: string | null;
  tier: string | null;
  zone: string;
  weekdays: string;
  from: string;
  to: string;
  validUntil: string | null;
}
interface PointRow {
  deviceId: string;
  door: string;
  zone: string;
}

export function Access() {
  const { lang, tr, session, canOperate, onLive } = useApp();
  const t = useTx();
  const a = useTa();
  const admin = session.role === 'admin';
  const shop = session.merchantId !== null;
  const [device, setDevice] = useState('');
  const [limit, setLimit] = useState(200);
  const [decision, setDecision] = useState('');
  const [method, setMethod] = useState('');
  const [text, setText] = useState('');
  const log = useData(() => {
    if (shop) return Promise.resolve({ items: [] as AccessEntry[] });
    const q = new URLSearchParams({ limit: String(limit) });
    if (device) q.set('device', device);
    return api<{ items: AccessEntry[] }>(`/access/log?${q}`);
  }, [device, limit, shop]);
  const readers = useData(
    () =>
      shop ? Promise.resolve({ items: [] as DoorReader[] }) : api<{ items: DoorReader[] }>('/devices?kind=door_reader'),
    [shop],
  );
  const ruleList = useData(
    () => (shop ? Promise.resolve({ items: [] as RuleRow[] }) : api<{ items: RuleRow[] }>('/access/rules')),
    [shop],
  );
  const pointList = useData(
    () => (shop ? Promise.resolve({ items: [] as PointRow[] }) : api<{ items: PointRow[] }>('/access/points')),
    [shop],
  );
  // the stream carries no access events: reload after a gap, or on demand
  useEffect(() => onLive((e) => e === 'reconnected' && log.reload()), []);
  const [ruleId, setRuleId] = useState('');
  const [point, setPoint] = useState({ device: '', door: '', zone: '' });
  if (shop) return <p class="muted">{a('shopNoAccess')}</p>;

  const items = log.data?.items ?? [];
  const readerList = readers.data?.items ?? [];
  const zones = [...new Set(items.map((e) => e.zone))].sort();
  // the rules that opened doors, from the log (newest first): RULE:<id>
  const rules = new Map<string, { count: number; last: string; zones: Set<string> }>();
  for (const e of items) {
    if (!e.reason.startsWith('RULE:')) continue;
    const id = e.reason.slice(5);
    const r = rules.get(id) ?? { count: 0, last: e.at, zones: new Set<string>() };
    r.count++;
    r.zones.add(e.zone);
    rules.set(id, r);
  }
  // the doors with their zone as set, and when each was last used (the log)
  const doors = new Map<string, { device: string; door: string; zone: string; last: string | null }>();
  for (const p of pointList.data?.items ?? [])
    doors.set(`${p.deviceId}/${p.door}`, { device: p.deviceId, door: p.door, zone: p.zone, last: null });
  for (const e of items) {
    const key = `${e.deviceId}/${e.door}`;
    const d = doors.get(key);
    if (!d) doors.set(key, { device: e.deviceId, door: e.door, zone: e.zone, last: e.at });
    else d.last ??= e.at;
  }
  const needle = text.trim().toLowerCase();
  const shown = items.filter(
    (e) =>
      (!decision || e.decision === decision) &&
      (!method || e.method === method) &&
      (!needle || `${e.subject ?? ''} ${e.zone} ${e.door}`.toLowerCase().includes(needle)),
  );
  const pickRule = (id: string) => {
    setRuleId(id);
    document.querySelector('[data-rule-form]')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  return (
    <div class="grid acc-page">
      <Card title={a('rules')} wide>
        <ErrorLine error={ruleList.error} />
        {ruleList.data && ruleList.data.items.length === 0 && <p class="muted">{tr('noData')}</p>}
        {(ruleList.data?.items.length ?? 0) > 0 && (
          <div class="tight">
            <Table>
              <thead>
                <tr>
                  <th>{a('ruleId')}</th>
                  <th>{tr('member')}</th>
                  <th>{t('zone')}</th>
                  <th>{a('weekdays')}</th>
                  <th>{tr('time')}</th>
                  {admin && <th>{t('actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {(ruleList.data?.items ?? []).map((r) => (
                  <tr key={r.id} data-rule-row={r.id}>
                    <td>
                      <code>{r.id}</code>
                    </td>
                    <td>{r.memberId ?? `${a('tierPrefix')}${r.tier ?? ''}`}</td>
                    <td class="nowrap">{r.zone}</td>
                    <td class="nowrap">{r.weekdays}</td>
                    <td class="nowrap">
                      {r.from}–{r.to}
                      {r.validUntil ? ` (${dateTime(lang, r.validUntil)})` : ''}
                    </td>
                    {admin && (
                      <td>
                        <button type="button" class="secondary small" onClick={() => pickRule(r.id)}>
                          {a('edit')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
        {admin && (
          <>
            <h3 class="acc-sub">{a('ruleForm')}</h3>
            <RuleEditor ruleId={ruleId} zones={zones} onSaved={() => log.run()} />
            <h3 class="acc-sub">{a('deleteRule')}</h3>
            <RuleDelete ruleId={ruleId} onDeleted={() => log.run()} />
          </>
        )}
        <h3 class="acc-sub">
          {a('rulesSeen')} ({rules.size})
        </h3>
        {log.data && rules.size === 0 && <p class="muted">{a('noRulesSeen')}</p>}
        {rules.size > 0 && (
          <div class="tight">
            <Table>
              <thead>
                <tr>
                  <th>{a('ruleId')}</th>
                  <th>{t('zone')}</th>
                  <th>{a('opens')}</th>
                  <th>{a('lastUsedAt')}</th>
                  {admin && <th>{t('actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {[...rules].map(([id, r]) => (
                  <tr key={id} data-rule={id}>
                    <td>
                      <code>{id}</code>
                    </td>
                    <td class="text-cell">{[...r.zones].join(', ')}</td>
                    <td class="num">{r.count}</td>
                    <td class="nowrap">{dateTime(lang, r.last)}</td>
                    {admin && (
                      <td>
                        <button type="button" class="secondary small" onClick={() => pickRule(id)}>
                          {a('edit')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
      </Card>

      <Card title={a('points')} wide>
        <p class="muted">{a('pointsHint')}</p>
        {admin && <ZoneEditor pick={point} readers={readerList} zones={zones} onSaved={() => log.run()} />}
        {doors.size > 0 && (
          <div class="tight">
            <Table>
              <thead>
                <tr>
                  <th>{tr('device')}</th>
                  <th>{a('doorId')}</th>
                  <th>{a('currentZone')}</th>
                  <th>{tr('time')}</th>
                  {admin && <th>{t('actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {[...doors.values()].map((d) => (
                  <tr key={`${d.device}/${d.door}`} data-door={`${d.device}/${d.door}`}>
                    <td class="nowrap">
                      <a href={`#/devices/${encodeURIComponent(d.device)}`}>{d.device}</a>
                    </td>
                    <td>{d.door}</td>
                    <td class="nowrap">{d.zone}</td>
                    <td class="nowrap">{d.last ? dateTime(lang, d.last) : '—'}</td>
                    {admin && (
                      <td>
                        <button
                          type="button"
                          class="secondary small"
                          onClick={() => setPoint({ device: d.device, door: d.door, zone: d.zone })}
                        >
                          {a('setZone')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
      </Card>

      {canOperate && (
        <Card title={t('createVisitorCode')}>
          <VisitorCodeForm deviceId="access" zones={zones} />
        </Card>
      )}
      {canOperate && (
        <Card title={a('checkIn')}>
          <CheckInEvent readers={readerList} />
        </Card>
      )}

      <Card title={`${a('log')} (${shown.length}/${items.length})`} wide>
        <div class="filters" data-log-filters>
          <label>
            {tr('device')}
            <select name="device" value={device} onChange={(e) => setDevice(e.currentTarget.value)}>
              <option value="">{a('anyDevice')}</option>
              {readerList.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name ? `${d.name} (${d.id})` : d.id}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('decision')}
            <select name="decision" value={decision} onChange={(e) => setDecision(e.currentTarget.value)}>
              <option value="">{tr('all')}</option>
              <option value="granted">{t('granted')}</option>
              <option value="denied">{t('denied')}</option>
              <option value="checked_in">{a('checkedIn')}</option>
            </select>
          </label>
          <label>
            {t('method')}
            <select name="method" value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
              <option value="">{tr('all')}</option>
              {METHODS.map((m) => (
                <option key={m} value={m}>
                  {txOr(lang, `method_${m}`, m)}
                </option>
              ))}
            </select>
          </label>
          <label class="grow">
            {a('subjectSearch')}
            <input type="search" name="q" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          <label>
            {a('limit')}
            <select name="limit" value={String(limit)} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
              {LIMITS.map((n) => (
                <option key={n} value={String(n)}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="secondary" onClick={() => log.run()}>
            ↻ {t('refresh')}
          </button>
        </div>
        <ErrorLine error={log.error} />
        {log.data && shown.length === 0 && <p class="muted">{tr('noData')}</p>}
        {shown.length > 0 && (
          <div class="tight">
            <Table>
              <thead>
                <tr>
                  <th>{tr('time')}</th>
                  <th>{tr('device')}</th>
                  <th>{t('door')}</th>
                  <th>{t('zone')}</th>
                  <th>{t('subject')}</th>
                  <th>{t('method')}</th>
                  <th>{t('decision')}</th>
                  <th>{a('reason')}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e, i) => (
                  <tr key={`${e.at}-${i}`} class={e.decision === 'denied' ? 'denied' : ''}>
                    <td class="nowrap">{dateTime(lang, e.at)}</td>
                    <td class="nowrap">{e.deviceId}</td>
                    <td>{e.door}</td>
                    <td class="nowrap">{e.zone}</td>
                    <td class="nowrap">{e.subject ?? '—'}</td>
                    <td class="nowrap">{txOr(lang, `method_${e.method}`, e.method)}</td>
                    <td>
                      <span class={`badge ${DECISION_BADGE[e.decision] ?? 'status-unknown'}`}>
                        {e.decision === 'checked_in' ? a('checkedIn') : txOr(lang, e.decision, e.decision)}
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
    </div>
  );
}
