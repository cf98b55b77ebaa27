import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime, declineText, money, type TextKey } from '../i18n.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine, Table } from '../widgets.tsx';

interface Result {
  status: string;
  state: string;
  declineCode?: string;
  subtotalFen: number;
  savingFen: number;
  payableFen: number;
  pointsCost: number;
  pointsEarned: number;
  applied: { campaignId: string; name: { zh: string; en: string }; savingFen: number }[];
  notApplied: {
    campaignId: string;
    name?: { zh: string; en: string };
    code: string;
    message: { zh: string; en: string };
  }[];
}
interface Redemption {
  id: string;
  txnId: string;
  merchantId: string;
  deviceId: string | null;
  memberId: string;
  state: string;
  createdAt: string;
  result: Result;
  reversal: { by: string; note: string | null } | null;
}

const STATES = ['captured', 'declined', 'held', 'voided', 'reversed'];

/** Redemptions searchable by time, merchant, device, member and outcome; each with why, and reversal. */
export function Redemptions() {
  const { lang, tr, session } = useApp();
  const [filters, setFilters] = useState({ merchant: '', device: '', member: '', state: '', since: '', until: '' });
  const [applied, setApplied] = useState(filters);
  const [openId, setOpenId] = useState<string | null>(null);
  const qs = () => {
    const p = new URLSearchParams({ limit: '200' });
    for (const [k, v] of Object.entries(applied)) {
      if (!v) continue;
      // the date inputs are days in Shanghai
      p.set(k, k === 'since' || k === 'until' ? new Date(`${v}T00:00:00+08:00`).toISOString() : v);
    }
    return p.toString();
  };
  const list = useData(() => api<{ items: Redemption[] }>(`/redemptions?${qs()}`), [JSON.stringify(applied)]);
  const field = (k: keyof typeof filters, label: TextKey, type = 'text') => (
    <label>
      {tr(label)}
      <input
        type={type}
        name={k}
        value={filters[k]}
        onInput={(e) => setFilters({ ...filters, [k]: e.currentTarget.value })}
      />
    </label>
  );
  return (
    <div class="grid">
      <Card title={tr('redemptions')} wide>
        {session.merchantId && <p class="muted">{tr('shopOnly')}</p>}
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(filters);
          }}
        >
          {!session.merchantId && field('merchant', 'merchant')}
          {field('device', 'device')}
          {field('member', 'member')}
          <label>
            {tr('outcome')}
            <select
              name="state"
              value={filters.state}
              onChange={(e) => setFilters({ ...filters, state: e.currentTarget.value })}
            >
              <option value="">{tr('all')}</option>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {tr(`state_${s}` as TextKey)}
                </option>
              ))}
            </select>
          </label>
          {field('since', 'from', 'date')}
          {field('until', 'to', 'date')}
          <button type="submit">{tr('find')}</button>
        </form>
        <ErrorLine error={list.error} />
        <Table>
          <thead>
            <tr>
              <th>{tr('time')}</th>
              <th>{tr('merchant')}</th>
              <th>{tr('device')}</th>
              <th>{tr('member')}</th>
              <th>{tr('outcome')}</th>
              <th>{tr('payable')}</th>
              <th>{tr('discount')}</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((r) => (
              <tr
                key={r.id}
                data-redemption={r.id}
                class={openId === r.id ? 'row on' : 'row'}
                onClick={() => setOpenId(openId === r.id ? null : r.id)}
              >
                <td>{dateTime(lang, r.createdAt)}</td>
                <td>{r.merchantId}</td>
                <td>{r.deviceId ?? '—'}</td>
                <td>{r.memberId}</td>
                <td>
                  <span class={`badge state-${r.state}`}>{tr(`state_${r.state}` as TextKey)}</span>
                </td>
                <td class="num">{money(r.result.payableFen)}</td>
                <td class="num">{money(r.result.savingFen)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
        {list.data?.items.length === 0 && <p class="muted">{tr('noData')}</p>}
      </Card>
      {openId && <RedemptionDetail id={openId} changed={list.run} />}
    </div>
  );
}

function MemberBalance({ memberId, version }: { memberId: string; version: number }) {
  const { tr } = useApp();
  const m = useData(
    () => api<{ walletFen: number; points: number; tier: string }>(`/members/${encodeURIComponent(memberId)}`),
    [memberId, version],
  );
  if (!m.data) return <ErrorLine error={m.error} />;
  return (
    <dl class="facts" data-member={memberId}>
      <dt>{tr('member')}</dt>
      <dd>
        {memberId} · {m.data.tier}
      </dd>
      <dt>{tr('wallet')}</dt>
      <dd data-figure="wallet">{money(m.data.walletFen)}</dd>
      <dt>{tr('points')}</dt>
      <dd data-figure="points">{m.data.points}</dd>
    </dl>
  );
}

function RedemptionDetail({ id, changed }: { id: string; changed: () => void }) {
  const { lang, tr, canOperate, session } = useApp();
  const r = useData(() => api<Redemption>(`/redemptions/${encodeURIComponent(id)}`), [id]);
  const [version, setVersion] = useState(0);
  const [asking, setAsking] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState<Error | undefined>(undefined);
  const zh = lang === 'zh-CN';
  const reverse = () =>
    api(`/redemptions/${encodeURIComponent(id)}/reverse`, { method: 'POST', body: { note: note.trim() } })
      .then(() => {
        setAsking(false);
        setError(undefined);
        setNote('');
        setVersion(version + 1);
        r.run();
        changed();
      })
      .catch((e: Error) => setError(e));
  const d = r.data;
  return (
    <Card title={`${tr('redemptions')} ${id}`} wide>
      <ErrorLine error={r.error ?? error} />
      {d && (
        <div class="detail" data-detail={d.id}>
          <dl class="facts">
            <dt>{tr('outcome')}</dt>
            <dd>
              <span class={`badge state-${d.state}`}>{tr(`state_${d.state}` as TextKey)}</span>
              {d.result.declineCode ? ` ${declineText(lang, d.result.declineCode)}` : ''}
            </dd>
            <dt>{tr('subtotal')}</dt>
            <dd>{money(d.result.subtotalFen)}</dd>
            <dt>{tr('discount')}</dt>
            <dd>{money(d.result.savingFen)}</dd>
            <dt>{tr('payable')}</dt>
            <dd data-figure="payable">{money(d.result.payableFen)}</dd>
            {d.reversal && (
              <>
                <dt>{tr('reversed')}</dt>
                <dd data-reversal-note>
                  {d.reversal.by}
                  {d.reversal.note ? ` · ${d.reversal.note}` : ''}
                </dd>
              </>
            )}
          </dl>
          {!session.merchantId && <MemberBalance memberId={d.memberId} version={version} />}
          <h3>{tr('applied')}</h3>
          <ul>
            {d.result.applied.map((b) => (
              <li key={b.campaignId}>
                {zh ? b.name.zh : b.name.en} — {money(b.savingFen)}
              </li>
            ))}
          </ul>
          <h3>{tr('notApplied')}</h3>
          <ul>
            {d.result.notApplied.map((b) => (
              <li key={`${b.campaignId}-${b.code}`}>
                {b.name ? (zh ? b.name.zh : b.name.en) : b.campaignId}: {zh ? b.message.zh : b.message.en}{' '}
                <code class="muted">{b.code}</code>
              </li>
            ))}
          </ul>
          {canOperate && d.state === 'captured' && !asking && (
            <button type="button" class="act danger" onClick={() => setAsking(true)}>
              {tr('reverse')}
            </button>
          )}
          {asking && (
            <form
              class="confirm"
              onSubmit={(e) => {
                e.preventDefault();
                if (note.trim()) void reverse();
              }}
            >
              <p>{tr('reverseConfirm')}</p>
              <label>
                {tr('reverseNote')}
                <input name="note" required value={note} onInput={(e) => setNote(e.currentTarget.value)} />
              </label>
              <button type="submit" class="act danger" disabled={!note.trim()}>
                {tr('confirm')}
              </button>
              <button type="button" class="secondary" onClick={() => setAsking(false)}>
                {tr('cancel')}
              </button>
            </form>
          )}
        </div>
      )}
    </Card>
  );
}
