import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime } from '../i18n.ts';
import { txOr } from '../i18n-extra.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine, Table } from '../widgets.tsx';
import { Confirm, OnceValue, useTx } from './device-actions.tsx';

type Role = 'viewer' | 'operator' | 'admin';
interface TokenRow {
  id: string;
  role: Role;
  label: string | null;
  merchantId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
}
interface TokenCreated {
  id: string;
  role: Role;
  merchantId: string | null;
  token: string;
}

const ROLES: Role[] = ['viewer', 'operator', 'admin'];

function CreateToken({ onCreated }: { onCreated: () => void }) {
  const { tr } = useApp();
  const t = useTx();
  const [form, setForm] = useState<{ role: Role; label: string; merchantId: string }>({
    role: 'viewer',
    label: '',
    merchantId: '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [made, setMade] = useState<(TokenCreated & { label: string }) | null>(null);
  const shop = form.merchantId.trim() !== '';
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, string> = { role: form.role };
      if (form.label.trim()) body.label = form.label.trim();
      if (shop) body.merchantId = form.merchantId.trim();
      const r = await api<TokenCreated>('/tokens', { method: 'POST', body });
      setMade({ ...r, label: form.label.trim() });
      setForm({ role: 'viewer', label: '', merchantId: '' });
      onCreated();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form
        class="filters"
        data-create-token
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void submit();
        }}
      >
        <label>
          {tr('role')}
          <select
            name="role"
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}
          >
            {ROLES.map((r) => (
              <option key={r} value={r} disabled={shop && r === 'admin'}>
                {t(`role_${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('label')} ({t('optional')})
          <input
            name="label"
            maxLength={100}
            value={form.label}
            onInput={(e) => setForm({ ...form, label: e.currentTarget.value })}
          />
        </label>
        <label>
          {tr('merchant')} ({t('optional')})
          <input
            name="merchantId"
            maxLength={64}
            value={form.merchantId}
            onInput={(e) => {
              const merchantId = e.currentTarget.value;
              // a shop token is never admin
              setForm({
                ...form,
                merchantId,
                role: merchantId.trim() && form.role === 'admin' ? 'operator' : form.role,
              });
            }}
          />
        </label>
        <button type="submit" disabled={busy}>
          {t('createToken')}
        </button>
        <p class="muted full">{t('shopToken')}</p>
      </form>
      <ErrorLine error={error} />
      {made && (
        <div class="once" role="alert" data-token-once>
          <h3>
            {t('tokenOnce')} · {t(`role_${made.role}`)}
            {made.merchantId ? ` · ${made.merchantId}` : ''}
            {made.label ? ` · ${made.label}` : ''}
          </h3>
          <p class="muted">{t('tokenOnceHint')}</p>
          <OnceValue value={made.token} />
          <button type="button" onClick={() => setMade(null)}>
            {t('done')}
          </button>
        </div>
      )}
    </>
  );
}

/** Staff tokens (admin): the list (never the tokens), a new one shown once with a copy button, revocation. */
export function Tokens() {
  const { lang, tr, session } = useApp();
  const t = useTx();
  const admin = session.role === 'admin';
  const list = useData(
    () => (admin ? api<{ items: TokenRow[] }>('/tokens') : Promise.resolve({ items: [] as TokenRow[] })),
    [admin],
  );
  const [showRevoked, setShowRevoked] = useState(false);
  const [asking, setAsking] = useState<TokenRow | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  if (!admin) return null;
  const all = list.data?.items ?? [];
  const shown = all.filter((r) => showRevoked || !r.revoked);
  const revoke = async (row: TokenRow) => {
    setBusy(true);
    setError(undefined);
    try {
      await api(`/tokens/${encodeURIComponent(row.id)}`, { method: 'DELETE' });
      setAsking(null);
      list.run();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="grid">
      <Card title={t('createToken')} wide>
        <CreateToken onCreated={() => list.run()} />
      </Card>
      <Card title={`${t('tokens')} (${shown.length}/${all.length})`} wide>
        <div class="filters">
          <label class="check">
            <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.currentTarget.checked)} />
            {t('showRevoked')}
          </label>
        </div>
        <ErrorLine error={list.error} />
        {asking && (
          <Confirm
            text={`${asking.id}${asking.label ? ` (${asking.label})` : ''}: ${t('revokeConfirm')}`}
            busy={busy}
            onConfirm={() => void revoke(asking)}
            onCancel={() => setAsking(null)}
          />
        )}
        <ErrorLine error={error} />
        <div class="tight">
          <Table>
            <thead>
              <tr>
                <th>{tr('id')}</th>
                <th>{t('label')}</th>
                <th>{tr('role')}</th>
                <th>{tr('merchant')}</th>
                <th>{t('created')}</th>
                <th>{t('lastUsed')}</th>
                <th>{tr('status')}</th>
                <th>{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.id} data-token={r.id} class={r.revoked ? 'muted' : ''}>
                  <td>
                    <code>{r.id}</code>
                    {r.id === session.id && <span class="muted"> ({t('thisToken')})</span>}
                  </td>
                  <td class="text-cell">{r.label ?? '—'}</td>
                  <td class="nowrap">{txOr(lang, `role_${r.role}`, r.role)}</td>
                  <td class="nowrap">{r.merchantId ?? '—'}</td>
                  <td class="nowrap">{dateTime(lang, r.createdAt)}</td>
                  <td class="nowrap">{dateTime(lang, r.lastUsedAt)}</td>
                  <td>
                    <span class={`badge ${r.revoked ? 'status-offline' : 'status-ok'}`}>
                      {r.revoked ? t('revoked') : t('active')}
                    </span>
                  </td>
                  <td>
                    {!r.revoked && (
                      <button
                        type="button"
                        class="danger small"
                        onClick={() => {
                          setAsking(r);
                          setError(undefined);
                        }}
                      >
                        {t('revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      </Card>
    </div>
  );
}
