import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime } from '../i18n.ts';
import {
  type AccessKey,
  fromShanghaiLocal,
  RECORD_ID,
  RECORD_ID_PATTERN,
  shanghaiLocal,
  ta,
  useTa,
} from '../i18n-access.ts';
import { txOr } from '../i18n-extra.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine, Table } from '../widgets.tsx';
import { useTx } from './device-actions.tsx';

interface Buyer {
  memberId: string;
  qty: number;
  parcelId: string | null;
}
interface GroupBuy {
  id: string;
  title: string;
  targetQty: number;
  orderedQty: number;
  status: string;
  closesAt: string | null;
  buyers: Buyer[];
}
interface Parcel {
  id: string;
  lockerId: string;
  compartment: string;
  memberId: string;
  groupBuyId: string | null;
  status: string;
  storedAt: string | null;
  pickedUpAt: string | null;
  codeExpiresAt: string | null;
}

const STATUSES = ['forming', 'formed', 'delivered', 'cancelled'] as const;
const BADGE: Record<string, string> = {
  forming: 'status-degraded',
  formed: 'sev-info',
  delivered: 'status-ok',
  cancelled: 'status-offline',
};
const PARCEL_BADGE: Record<string, string> = {
  depositing: 'status-degraded',
  stored: 'sev-info',
  opening: 'status-degraded',
  picked_up: 'status-ok',
  deposit_failed: 'status-fault',
};
/** GET /parcels answers at most this many, newest first: an older parcel of a buyer is not among them. */
const PARCEL_LIMIT = 1000;

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

function GbStatus({ status }: { status: string }) {
  const { lang } = useApp();
  return (
    <span class={`badge ${BADGE[status] ?? 'status-unknown'}`}>
      {(STATUSES as readonly string[]).includes(status) ? ta(lang, `gb_${status}` as AccessKey) : status}
    </span>
  );
}

function Progress({ g }: { g: GroupBuy }) {
  return (
    <span class="gb-progress">
      <progress max={g.targetQty} value={Math.min(g.orderedQty, g.targetQty)} />
      <span class="nowrap">
        {g.orderedQty}/{g.targetQty}
      </span>
    </span>
  );
}

/** Open a group buy (operator): id, title, target quantity, an optional closing time. */
function CreateGroupBuy({ onCreated }: { onCreated: (id: string) => void }) {
  const t = useTx();
  const a = useTa();
  const blank = { id: '', title: '', targetQty: '10', closesAt: '' };
  const [form, setForm] = useState(blank);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const idOk = RECORD_ID.test(form.id.trim());
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, string | number> = {
        id: form.id.trim(),
        title: form.title.trim(),
        targetQty: Number(form.targetQty),
      };
      if (form.closesAt) body.closesAt = fromShanghaiLocal(form.closesAt);
      const g = await api<GroupBuy>('/group-buys', { method: 'POST', body });
      setForm(blank);
      onCreated(g.id);
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form
        class="filters"
        data-create-group-buy
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy && idOk) void submit();
        }}
      >
        <label>
          {a('gbId')}
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
          {a('gbTitle')}
          <input
            name="title"
            required
            maxLength={100}
            value={form.title}
            onInput={(e) => setForm({ ...form, title: e.currentTarget.value })}
          />
        </label>
        <label>
          {a('targetQty')}
          <input
            type="number"
            name="targetQty"
            class="narrow"
            required
            min={1}
            max={100_000}
            step={1}
            value={form.targetQty}
            onInput={(e) => setForm({ ...form, targetQty: e.currentTarget.value })}
          />
        </label>
        <label>
          {a('closesAt')} ({t('optional')})
          <input
            type="datetime-local"
            name="closesAt"
            min={shanghaiLocal(Date.now())}
            value={form.closesAt}
            onInput={(e) => setForm({ ...form, closesAt: e.currentTarget.value })}
          />
        </label>
        <button type="submit" disabled={busy || !idOk || !form.title.trim() || !form.targetQty}>
          {a('createGroupBuy')}
        </button>
        <p class="muted full">
          {a('idHint')} · {a('gbFormsHint')}
        </p>
      </form>
      <ErrorLine error={error} />
    </>
  );
}

/** Add or change a member's order (operator), while the group buy is forming. */
function OrderForm({
  id,
  memberId,
  qty,
  seq,
  onSaved,
}: {
  id: string;
  memberId: string;
  qty: number;
  seq: number;
  onSaved: () => void;
}) {
  const a = useTa();
  const [form, setForm] = useState({ memberId, qty: String(qty) });
  // a buyer picked in the table fills the form
  useEffect(() => setForm({ memberId, qty: String(qty) }), [memberId, qty, seq]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [saved, setSaved] = useState('');
  const idOk = RECORD_ID.test(form.memberId.trim());
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    setSaved('');
    try {
      const body = { memberId: form.memberId.trim(), qty: Number(form.qty) };
      await api<GroupBuy>(`/group-buys/${encodeURIComponent(id)}/orders`, { method: 'POST', body });
      setSaved(`${body.memberId} × ${body.qty}`);
      setForm({ memberId: '', qty: '1' });
      onSaved();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form
        class="filters"
        data-add-order
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy && idOk) void submit();
        }}
      >
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
        <label>
          {a('qty')}
          <input
            type="number"
            name="qty"
            class="narrow"
            required
            min={1}
            max={1000}
            step={1}
            value={form.qty}
            onInput={(e) => setForm({ ...form, qty: e.currentTarget.value })}
          />
        </label>
        <button type="submit" disabled={busy || !idOk || !form.qty}>
          {a('addOrder')}
        </button>
        <p class="muted full">{a('addOrderHint')}</p>
      </form>
      <ErrorLine error={error} />
      {saved && (
        <p class="answer" role="status">
          {a('orderSaved')}: {saved}
        </p>
      )}
    </>
  );
}

/** One group buy: its facts, its buyers with their parcels' pickup state, and an order added (operator). */
function GroupBuyDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { lang, tr, canOperate, onLive } = useApp();
  const t = useTx();
  const a = useTa();
  const detail = useData(async () => {
    const g = await api<GroupBuy>(`/group-buys/${encodeURIComponent(id)}`);
    // the API has no parcel by id nor by group buy: the recent parcels, matched here
    if (!g.buyers.some((b) => b.parcelId)) return { g, parcels: new Map<string, Parcel>() };
    const { items } = await api<{ items: Parcel[] }>(`/parcels?limit=${PARCEL_LIMIT}`);
    return { g, parcels: new Map(items.filter((p) => p.groupBuyId === id).map((p) => [p.id, p])) };
  }, [id]);
  useEffect(() => onLive((e) => e === 'reconnected' && detail.reload()), [id]);
  const [pick, setPick] = useState({ memberId: '', qty: 1, seq: 0 });
  useEffect(() => setPick((p) => ({ memberId: '', qty: 1, seq: p.seq + 1 })), [id]);
  const notFound = detail.error instanceof ApiError && detail.error.code === 'NOT_FOUND';
  const g = detail.data?.g.id === id ? detail.data.g : undefined;
  const parcels = detail.data?.parcels ?? new Map<string, Parcel>();
  const past = g?.closesAt ? Date.parse(g.closesAt) <= Date.now() : false;
  const open = g?.status === 'forming' && !past;
  const withParcel = g ? g.buyers.filter((b) => b.parcelId) : [];
  const pickedUp = withParcel.filter((b) => parcels.get(b.parcelId ?? '')?.status === 'picked_up');
  return (
    <>
      <Card title={`${a('groupBuy')} ${id}`} wide>
        <div class="filters">
          <a href="#/group-buys">← {tr('back')}</a>
          <button type="button" class="secondary" onClick={() => detail.run()}>
            ↻ {t('refresh')}
          </button>
        </div>
        {notFound ? <p class="muted">{a('notFound')}</p> : <ErrorLine error={detail.error} />}
        {g && !notFound && (
          <dl class="facts" data-group-buy={g.id}>
            <dt>{a('gbTitle')}</dt>
            <dd>{g.title}</dd>
            <dt>{tr('status')}</dt>
            <dd>
              <GbStatus status={g.status} />
              {g.status === 'forming' && past && <span class="muted"> · {a('pastClose')}</span>}
            </dd>
            <dt>{a('progress')}</dt>
            <dd>
              <Progress g={g} />
            </dd>
            <dt>{a('closesAt')}</dt>
            <dd>{g.closesAt ? dateTime(lang, g.closesAt) : a('noClose')}</dd>
            <dt>{a('storedOf')}</dt>
            <dd>
              {withParcel.length}/{g.buyers.length}
            </dd>
            <dt>{a('pickedUpOf')}</dt>
            <dd>
              {pickedUp.length}/{g.buyers.length}
            </dd>
          </dl>
        )}
      </Card>
      {g && !notFound && (
        <Card title={`${a('buyers')} (${g.buyers.length})`} wide>
          {g.buyers.length === 0 && <p class="muted">{a('noOrders')}</p>}
          {g.buyers.length > 0 && (
            <div class="tight">
              <Table>
                <thead>
                  <tr>
                    <th>{a('buyer')}</th>
                    <th>{a('qty')}</th>
                    <th>{a('parcel')}</th>
                    <th>{a('lockerCompartment')}</th>
                    <th>{a('pickup')}</th>
                    <th>{t('storedAt')}</th>
                    <th>{t('pickedUpAt')}</th>
                    {canOperate && open && <th>{t('actions')}</th>}
                  </tr>
                </thead>
                <tbody>
                  {g.buyers.map((b) => {
                    const p = b.parcelId ? parcels.get(b.parcelId) : undefined;
                    return (
                      <tr key={b.memberId} data-buyer={b.memberId}>
                        <td class="nowrap">{b.memberId}</td>
                        <td class="num">{b.qty}</td>
                        <td>{b.parcelId ? <code>{b.parcelId}</code> : '—'}</td>
                        <td class="nowrap">{p ? `${p.lockerId} / ${p.compartment}` : '—'}</td>
                        <td>
                          {!b.parcelId && <span class="muted">{a('notDeposited')}</span>}
                          {b.parcelId && !p && <span class="muted">{a('parcelUnknown')}</span>}
                          {p && (
                            <span class={`badge ${PARCEL_BADGE[p.status] ?? 'status-unknown'}`}>
                              {txOr(lang, `parcel_${p.status}`, p.status)}
                            </span>
                          )}
                        </td>
                        <td class="nowrap">{p ? dateTime(lang, p.storedAt) : '—'}</td>
                        <td class="nowrap">{p ? dateTime(lang, p.pickedUpAt) : '—'}</td>
                        {canOperate && open && (
                          <td>
                            <button
                              type="button"
                              class="secondary small"
                              onClick={() => setPick((p) => ({ memberId: b.memberId, qty: b.qty, seq: p.seq + 1 }))}
                            >
                              {a('changeQty')}
                            </button>
                          </td>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </Table>
            </div>
          )}
        </Card>
      )}
      {g && !notFound && canOperate && (
        <Card title={a('addOrder')} wide>
          {open ? (
            <OrderForm
              id={g.id}
              memberId={pick.memberId}
              qty={pick.qty}
              seq={pick.seq}
              onSaved={() => {
                detail.run();
                onChanged();
              }}
            />
          ) : (
            <p class="muted">{a('closedForOrders')}</p>
          )}
        </Card>
      )}
    </>
  );
}

/** Group buys (社区团购): the list by status, one opened (operator), one's buyers and pickup, orders added. */
export function GroupBuys({ id }: { id?: string | undefined } = {}) {
  const { lang, tr, canOperate, session, onLive } = useApp();
  const t = useTx();
  const a = useTa();
  const shop = session.merchantId !== null;
  const list = useData(
    () => (shop ? Promise.resolve({ items: [] as GroupBuy[] }) : api<{ items: GroupBuy[] }>('/group-buys')),
    [shop],
  );
  useEffect(() => onLive((e) => e === 'reconnected' && list.reload()), []);
  const [status, setStatus] = useState<string>('');
  if (shop) return <p class="muted">{a('shopNoAccess')}</p>;
  const all = list.data?.items ?? [];
  const shown = all.filter((g) => !status || g.status === status);
  const count = (s: string) => all.filter((g) => g.status === s).length;
  return (
    <div class="grid gb-page">
      {id && <GroupBuyDetail id={id} onChanged={() => list.run()} />}
      {canOperate && !id && (
        <Card title={a('createGroupBuy')} wide>
          <CreateGroupBuy
            onCreated={(made) => {
              list.run();
              location.hash = `#/group-buys/${encodeURIComponent(made)}`;
            }}
          />
        </Card>
      )}
      <Card title={`${a('groupBuys')} (${shown.length}/${all.length})`} wide>
        <div class="filters">
          <button type="button" class={status === '' ? 'tab on' : 'tab'} onClick={() => setStatus('')}>
            {tr('all')} {all.length}
          </button>
          {STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              class={status === s ? 'tab on' : 'tab'}
              data-status={s}
              onClick={() => setStatus(s)}
            >
              {a(`gb_${s}`)} {count(s)}
            </button>
          ))}
          <button type="button" class="secondary" onClick={() => list.run()}>
            ↻ {t('refresh')}
          </button>
        </div>
        <ErrorLine error={list.error} />
        {list.data && shown.length === 0 && <p class="muted">{tr('noData')}</p>}
        {shown.length > 0 && (
          <div class="tight">
            <Table>
              <thead>
                <tr>
                  <th>{tr('id')}</th>
                  <th>{a('gbTitle')}</th>
                  <th>{a('progress')}</th>
                  <th>{tr('status')}</th>
                  <th>{a('closesAt')}</th>
                  <th>{a('storedOf')}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((g) => (
                  <tr
                    key={g.id}
                    data-group-buy-row={g.id}
                    class={g.id === id ? 'row on' : 'row'}
                    onClick={() => {
                      location.hash = `#/group-buys/${encodeURIComponent(g.id)}`;
                    }}
                  >
                    <td class="nowrap">
                      <a href={`#/group-buys/${encodeURIComponent(g.id)}`}>{g.id}</a>
                    </td>
                    <td class="text-cell">{g.title}</td>
                    <td>
                      <Progress g={g} />
                    </td>
                    <td>
                      <GbStatus status={g.status} />
                    </td>
                    <td class="nowrap">{g.closesAt ? dateTime(lang, g.closesAt) : '—'}</td>
                    <td class="nowrap">
                      {g.buyers.filter((b) => b.parcelId).length}/{g.buyers.length}
                    </td>
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
