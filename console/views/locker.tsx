import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime } from '../i18n.ts';
import { txOr } from '../i18n-extra.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine, Table } from '../widgets.tsx';
import { Confirm, OnceValue, useTx } from './device-actions.tsx';

interface Compartment {
  id: string;
  size: string;
  assigned: boolean;
  door: string;
  pending: string | null;
  jammed: boolean;
}
interface Occupancy {
  ts: number;
  compartments: Compartment[];
}
interface Parcel {
  id: string;
  lockerId: string;
  compartment: string;
  memberId: string;
  tracking: string;
  size: string;
  groupBuyId: string | null;
  status: string;
  createdAt: string;
  storedAt: string | null;
  pickedUpAt: string | null;
  codeExpiresAt: string | null;
  overdue: boolean;
}

/** Stored longer than the locker's overdue age (the gateway says so), or its pickup code has expired. */
export function isOverdue(p: Parcel, now = Date.now()): boolean {
  if (p.status !== 'stored') return false;
  if (p.overdue) return true;
  return p.codeExpiresAt !== null && Date.parse(p.codeExpiresAt) < now;
}

function compartmentState(c: Compartment): 'jammed' | 'pending' | 'occupied' | 'free' {
  if (c.jammed) return 'jammed';
  if (c.pending) return 'pending';
  return c.assigned ? 'occupied' : 'free';
}

/** A parcel locker: compartments with occupancy, its parcels (overdue highlighted), reissue a code, clear a jam. */
export function LockerPanel({ deviceId }: { deviceId: string }) {
  const { lang, tr, canOperate, onLive } = useApp();
  const t = useTx();
  const [onlyOpen, setOnlyOpen] = useState(true);
  const id = encodeURIComponent(deviceId);
  const occupancy = useData(() => api<Occupancy>(`/lockers/${id}/occupancy`), [deviceId]);
  const parcels = useData(
    () => api<{ items: Parcel[] }>(`/parcels?locker=${id}&limit=200${onlyOpen ? '&status=stored' : ''}`),
    [deviceId, onlyOpen],
  );
  // the stream has no parcel events: a health change of this locker (door, jam, overdue) is the cue to look again
  useEffect(
    () =>
      onLive((e, data) => {
        if (e === 'reconnected' || (e === 'health' && (data as { deviceId?: string }).deviceId === deviceId)) {
          occupancy.reload();
          parcels.reload();
        }
      }),
    [deviceId],
  );
  const [asking, setAsking] = useState<{ kind: 'jam'; compartment: string } | { kind: 'code'; parcel: Parcel } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [code, setCode] = useState<{ parcel: Parcel; code: string; expiresAt: string } | null>(null);
  const [cleared, setCleared] = useState<string | null>(null);

  const list = parcels.data?.items ?? [];
  const now = Date.now();
  const byCompartment = new Map<string, Parcel>();
  for (const p of list)
    if (p.status === 'stored' && !byCompartment.has(p.compartment)) byCompartment.set(p.compartment, p);
  const overdue = list.filter((p) => isOverdue(p, now)).length;

  const act = async () => {
    if (!asking) return;
    setBusy(true);
    setError(undefined);
    try {
      if (asking.kind === 'jam') {
        await api(`/lockers/${id}/compartments/${encodeURIComponent(asking.compartment)}/clear-jam`, {
          method: 'POST',
        });
        setCleared(asking.compartment);
        occupancy.run();
      } else {
        const r = await api<{ code: string; expiresAt: string }>(
          `/parcels/${encodeURIComponent(asking.parcel.id)}/reissue-code`,
          { method: 'POST' },
        );
        setCode({ parcel: asking.parcel, ...r });
        parcels.run();
      }
      setAsking(null);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  const comps = occupancy.data?.compartments ?? [];
  return (
    <>
      <Card title={`${t('compartments')} (${comps.filter((c) => c.assigned).length}/${comps.length})`} wide>
        <ErrorLine error={occupancy.error} />
        <ul class="legend muted">
          {(['free', 'occupied', 'pending', 'jammed'] as const).map((s) => (
            <li key={s}>
              <span class={`swatch cell-${s}`} /> {t(s)}
            </li>
          ))}
        </ul>
        <div class="cells" data-compartments>
          {comps.map((c) => {
            const state = compartmentState(c);
            const p = byCompartment.get(c.id);
            const late = p ? isOverdue(p, now) : false;
            return (
              <div key={c.id} class={`cell cell-${state}${late ? ' cell-overdue' : ''}`} data-compartment={c.id}>
                <strong>{c.id}</strong>
                <span class="muted">
                  {c.size} · {t('door')} {txOr(lang, `door_${c.door}`, c.door)}
                </span>
                <span>{t(state)}</span>
                {c.pending && <code class="muted">{c.pending}</code>}
                {late && <span class="badge status-fault">{t('overdue')}</span>}
                {c.jammed && canOperate && (
                  <button
                    type="button"
                    class="secondary small"
                    onClick={() => {
                      setAsking({ kind: 'jam', compartment: c.id });
                      setCleared(null);
                    }}
                  >
                    {t('clearJam')}
                  </button>
                )}
                {cleared === c.id && <span role="status">✓ {t('jamCleared')}</span>}
              </div>
            );
          })}
        </div>
        {asking?.kind === 'jam' && (
          <Confirm
            text={`${t('compartment')} ${asking.compartment}: ${t('clearJamConfirm')}`}
            busy={busy}
            onConfirm={() => void act()}
            onCancel={() => setAsking(null)}
          />
        )}
        {occupancy.data && <p class="muted small">{dateTime(lang, occupancy.data.ts)}</p>}
      </Card>
      <Card title={`${t('parcels')} (${list.length})`} wide>
        <div class="filters">
          <label class="check">
            <input type="checkbox" checked={onlyOpen} onChange={(e) => setOnlyOpen(e.currentTarget.checked)} />
            {t('onlyOpen')}
          </label>
          {overdue > 0 && (
            <span class="badge status-fault" title={t('overdueHint')}>
              {t('overdue')}: {overdue}
            </span>
          )}
        </div>
        <ErrorLine error={parcels.error} />
        {asking?.kind === 'code' && (
          <Confirm
            text={`${asking.parcel.tracking} · ${t('compartment')} ${asking.parcel.compartment}: ${t('reissueConfirm')}`}
            busy={busy}
            danger={false}
            onConfirm={() => void act()}
            onCancel={() => setAsking(null)}
          />
        )}
        {code && (
          <div class="once" role="alert" data-code-once>
            <h3>
              {t('newCode')} · {code.parcel.tracking} · {t('compartment')} {code.parcel.compartment}
            </h3>
            <OnceValue value={code.code} />
            <p class="muted">
              {t('validUntil')} {dateTime(lang, code.expiresAt)}
            </p>
            <button type="button" onClick={() => setCode(null)}>
              {t('done')}
            </button>
          </div>
        )}
        <ErrorLine error={error} />
        {list.length === 0 && !parcels.error && parcels.data && <p class="muted">{tr('noData')}</p>}
        {list.length > 0 && (
          <div class="tight">
            <Table>
              <thead>
                <tr>
                  <th>{t('compartment')}</th>
                  <th>{t('tracking')}</th>
                  <th>{tr('member')}</th>
                  <th>{tr('status')}</th>
                  <th>{t('storedAt')}</th>
                  <th>{t('codeExpiresAt')}</th>
                  <th>{t('pickedUpAt')}</th>
                  {canOperate && <th>{t('actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {list.map((p) => {
                  const late = isOverdue(p, now);
                  return (
                    <tr key={p.id} class={late ? 'overdue' : ''} data-parcel={p.id}>
                      <td>
                        {p.compartment} <span class="muted">{p.size}</span>
                      </td>
                      <td class="nowrap">{p.tracking}</td>
                      <td class="nowrap">{p.memberId}</td>
                      <td>
                        {txOr(lang, `parcel_${p.status}`, p.status)}
                        {late && (
                          <>
                            {' '}
                            <span class="badge status-fault" title={t('overdueHint')}>
                              {t('overdue')}
                            </span>
                          </>
                        )}
                      </td>
                      <td class="nowrap">{dateTime(lang, p.storedAt)}</td>
                      <td class="nowrap">{dateTime(lang, p.codeExpiresAt)}</td>
                      <td class="nowrap">{dateTime(lang, p.pickedUpAt)}</td>
                      {canOperate && (
                        <td>
                          {p.status === 'stored' && (
                            <button
                              type="button"
                              class="secondary small"
                              onClick={() => {
                                setAsking({ kind: 'code', parcel: p });
                                setCode(null);
                              }}
                            >
                              {t('reissueCode')}
                            </button>
                          )}
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
    </>
  );
}
