import { useState } from 'preact/hooks';
import { api, download } from '../api.ts';
import { useApp } from '../app-context.ts';
import { money, type TextKey } from '../i18n.ts';
import { useData } from '../use-data.ts';
import { ChartBox } from '../chart-box.tsx';
import { Card, ErrorLine, Table } from '../widgets.tsx';

interface Period {
  from: string;
  to: string;
}
interface Heat {
  items: { dayOfWeek: number; hour: number; redemptions: number; payableFen: number; savingFen: number }[];
}
interface Rows<T> {
  items: T[];
}
interface Summary {
  summary: {
    redemptions: number;
    payableFen: number;
    savingFen: number;
    averageOrderFen: number | null;
    averageListFen: number | null;
    members: number;
    repeatMembers: number;
    repurchaseRate: number | null;
  };
}
type Money = { payableFen: number; savingFen: number };

const DAYS: TextKey[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A Shanghai calendar day, n days from today. */
const day = (offsetDays: number) =>
  new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** Reports that help merchants: heat map, daily line, per merchant, per benefit, order value, repurchase. */
export function Reports() {
  const { tr, session } = useApp();
  const [form, setForm] = useState({ from: day(-29), to: day(1), merchant: '', device: '' });
  const [applied, setApplied] = useState(form);
  const qs = (extra: Record<string, string> = {}) => {
    const p = new URLSearchParams({ from: applied.from, to: applied.to, ...extra });
    if (applied.merchant) p.set('merchant', applied.merchant);
    if (applied.device) p.set('device', applied.device);
    return p.toString();
  };
  const key = [JSON.stringify(applied)];
  const heat = useData(() => api<Heat & Period>(`/reports/heatmap?${qs()}`), key);
  const daily = useData(() => api<Rows<{ date: string; redemptions: number } & Money>>(`/reports/daily?${qs()}`), key);
  const summary = useData(() => api<Summary>(`/reports/summary?${qs()}`), key);
  const merchants = useData(
    () => api<Rows<{ merchantId: string; redemptions: number } & Money>>(`/reports/merchants?${qs()}`),
    key,
  );
  const benefits = useData(
    () => api<Rows<{ campaignId: string; uses: number } & Money>>(`/reports/benefits?${qs({ limit: '20' })}`),
    key,
  );
  const csv = (report: string) => () => void download(`/reports/${report}?${qs({ format: 'csv' })}`, `${report}.csv`);
  const s = summary.data?.summary;
  return (
    <div class="grid">
      <Card title={tr('reports')} wide>
        {session.merchantId && <p class="muted">{tr('shopOnly')}</p>}
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(form);
          }}
        >
          <label>
            {tr('from')}
            <input type="date" value={form.from} onInput={(e) => setForm({ ...form, from: e.currentTarget.value })} />
          </label>
          <label>
            {tr('to')}
            <input type="date" value={form.to} onInput={(e) => setForm({ ...form, to: e.currentTarget.value })} />
          </label>
          {!session.merchantId && (
            <label>
              {tr('merchant')}
              <input value={form.merchant} onInput={(e) => setForm({ ...form, merchant: e.currentTarget.value })} />
            </label>
          )}
          <label>
            {tr('device')}
            <input value={form.device} onInput={(e) => setForm({ ...form, device: e.currentTarget.value })} />
          </label>
          <button type="submit">{tr('find')}</button>
        </form>
        <ErrorLine error={summary.error ?? heat.error} />
        {s && (
          <dl class="figures">
            <div>
              <dt>{tr('purchases')}</dt>
              <dd data-figure="report-redemptions">{s.redemptions}</dd>
            </div>
            <div>
              <dt>{tr('amount')}</dt>
              <dd>{money(s.payableFen)}</dd>
            </div>
            <div>
              <dt>{tr('saved')}</dt>
              <dd>{money(s.savingFen)}</dd>
            </div>
            <div>
              <dt>{tr('aov')}</dt>
              <dd>{s.averageOrderFen === null ? '—' : money(s.averageOrderFen)}</dd>
            </div>
            <div>
              <dt>{tr('repurchase')}</dt>
              <dd>{s.repurchaseRate === null ? '—' : `${(s.repurchaseRate * 100).toFixed(1)}%`}</dd>
            </div>
          </dl>
        )}
        <button type="button" class="link" onClick={csv('summary')}>
          {tr('exportCsv')}
        </button>
      </Card>
      <Card title={tr('heatmap')} wide>
        <p class="muted">{tr('heatmapHint')}</p>
        <ChartBox
          id="heatmap"
          draw={(c, el) => c.heatmap(el, heat.data?.items ?? [], DAYS.map(tr), tr('count'))}
          ready={heat.data !== undefined}
          deps={[heat.data, tr('mon')]}
        />
        <button type="button" class="link" onClick={csv('heatmap')}>
          {tr('exportCsv')}
        </button>
      </Card>
      <Card title={tr('daily')} wide>
        <ChartBox
          id="daily"
          draw={(c, el) => c.dailyLine(el, daily.data?.items ?? [], tr('count'))}
          ready={daily.data !== undefined}
          deps={[daily.data, tr('count')]}
        />
        <button type="button" class="link" onClick={csv('daily')}>
          {tr('exportCsv')}
        </button>
      </Card>
      {!session.merchantId && (
        <Card title={tr('byMerchant')}>
          <MoneyTable
            rows={(merchants.data?.items ?? []).map((r) => ({ key: r.merchantId, n: r.redemptions, ...r }))}
          />
          <button type="button" class="link" onClick={csv('merchants')}>
            {tr('exportCsv')}
          </button>
        </Card>
      )}
      <Card title={tr('byBenefit')}>
        <MoneyTable rows={(benefits.data?.items ?? []).map((r) => ({ key: r.campaignId, n: r.uses, ...r }))} />
        <button type="button" class="link" onClick={csv('benefits')}>
          {tr('exportCsv')}
        </button>
      </Card>
    </div>
  );
}

function MoneyTable({ rows }: { rows: ({ key: string; n: number } & Money)[] }) {
  const { tr } = useApp();
  if (rows.length === 0) return <p class="muted">{tr('noData')}</p>;
  return (
    <Table>
      <thead>
        <tr>
          <th />
          <th>{tr('count')}</th>
          <th>{tr('amount')}</th>
          <th>{tr('discount')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td>{r.key}</td>
            <td class="num">{r.n}</td>
            <td class="num">{money(r.payableFen)}</td>
            <td class="num">{money(r.savingFen)}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
