import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { encode } from 'uqr';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { type ExtraKey, tx, txOr } from '../i18n-extra.ts';
import { useData } from '../use-data.ts';
import { Card, ErrorLine } from '../widgets.tsx';

/** The texts of i18n-extra in the page's language. */
export function useTx(): (k: ExtraKey) => string {
  const { lang } = useApp();
  return (k) => tx(lang, k);
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** Copies to the clipboard; on a plain-http LAN page (no navigator.clipboard) through a hidden text area. */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    document.execCommand('copy');
  } finally {
    area.remove();
  }
}

export function CopyButton({ text }: { text: string }) {
  const t = useTx();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="secondary"
      onClick={() =>
        void copyText(text).then(
          () => {
            setDone(true);
            setTimeout(() => setDone(false), 2000);
          },
          () => setDone(false),
        )
      }
    >
      {done ? t('copied') : t('copy')}
    </button>
  );
}

/** A value shown once (secret, token, code): selectable, with a copy button. */
export function OnceValue({ value }: { value: string }) {
  return (
    <div class="once-value">
      <code data-once>{value}</code>
      <CopyButton text={value} />
    </div>
  );
}

/** A QR code drawn as SVG paths from uqr's matrix (no HTML injected). */
export function QrCode({ data, label }: { data: string; label: string }) {
  const { d, size } = useMemo(() => {
    const qr = encode(data, { ecc: 'M', border: 2 });
    let path = '';
    qr.data.forEach((row, y) => {
      row.forEach((dark, x) => {
        if (dark) path += `M${x} ${y}h1v1h-1z`;
      });
    });
    return { d: path, size: qr.size };
  }, [data]);
  return (
    <svg
      class="qr"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shape-rendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>{label}</title>
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

/** A confirmation box: its text, optional inputs, confirm (disabled until ready) and cancel. */
export function Confirm({
  text,
  onConfirm,
  onCancel,
  busy = false,
  ready = true,
  danger = true,
  children,
}: {
  text: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  ready?: boolean;
  danger?: boolean;
  children?: ComponentChildren;
}) {
  const { tr } = useApp();
  return (
    <form
      class="confirm"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready && !busy) onConfirm();
      }}
    >
      <p>{text}</p>
      {children}
      <div class="actions wrap">
        <button type="submit" class={danger ? 'danger' : ''} disabled={!ready || busy}>
          {tr('confirm')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {tr('cancel')}
        </button>
      </div>
    </form>
  );
}

const MQTT_KEY = 'linli.mqttTarget';
interface MqttTarget {
  host: string;
  port: number;
  tls: boolean;
}
function savedTarget(): MqttTarget {
  try {
    const t = JSON.parse(localStorage.getItem(MQTT_KEY) ?? '') as Partial<MqttTarget>;
    if (typeof t.host === 'string' && typeof t.port === 'number')
      return { host: t.host, port: t.port, tls: t.tls === true };
  } catch {
    // nothing remembered yet
  }
  // the gateway listens for MQTT over TLS by default; plain MQTT only where the operator turned it on
  return { host: location.hostname, port: 8883, tls: true };
}

/**
 * The setup a device's technician scans: `{"v":1,"host","port","tls","id","kind","secret"}`, and over TLS the
 * fingerprint of the gateway's local CA the device pins, `caSha256` [FWP-1.3, FWP-1.4]. The gateway's API does
 * not say under which address devices reach its broker, so the admin confirms host and port (remembered).
 */
export function setupPayload(target: MqttTarget, id: string, kind: string, secret: string, caSha256?: string): string {
  const ca = target.tls && caSha256 ? { caSha256 } : {};
  return JSON.stringify({ v: 1, host: target.host, port: target.port, tls: target.tls, id, kind, secret, ...ca });
}

/** A new or rotated secret as the API answers it; caSha256 when the gateway serves its own local CA. */
interface Issued {
  id: string;
  kind: string;
  secret: string;
  caSha256?: string;
}

/** A device's new secret, shown once: id, secret, a QR code for the device's setup, and "done". */
export function SecretOnce({
  id,
  kind,
  secret,
  caSha256,
  onDone,
}: {
  id: string;
  kind: string;
  secret: string;
  caSha256?: string | undefined;
  onDone: () => void;
}) {
  const t = useTx();
  const [target, setTarget] = useState<MqttTarget>(savedTarget);
  const change = (next: MqttTarget) => {
    setTarget(next);
    localStorage.setItem(MQTT_KEY, JSON.stringify(next));
  };
  return (
    <div class="once" role="alert" data-secret-once>
      <h3>{t('secretOnce')}</h3>
      <p class="muted">{t('secretOnceHint')}</p>
      <dl class="facts">
        <dt>{t('username')}</dt>
        <dd>
          <code>{id}</code>
        </dd>
        <dt>{t('secret')}</dt>
        <dd>
          <OnceValue value={secret} />
        </dd>
      </dl>
      <div class="filters">
        <label>
          {t('mqttHost')}
          <input value={target.host} onInput={(e) => change({ ...target, host: e.currentTarget.value.trim() })} />
        </label>
        <label>
          {t('mqttPort')}
          <input
            type="number"
            min={1}
            max={65535}
            class="narrow"
            value={target.port}
            onInput={(e) => change({ ...target, port: Number(e.currentTarget.value) || 0 })}
          />
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={target.tls}
            onChange={(e) => {
              const tls = e.currentTarget.checked;
              const port = tls && target.port === 1883 ? 8883 : !tls && target.port === 8883 ? 1883 : target.port;
              change({ ...target, tls, port });
            }}
          />
          {t('mqttTls')}
        </label>
      </div>
      <QrCode data={setupPayload(target, id, kind, secret, caSha256)} label={t('qrHint')} />
      <p class="muted">{t('qrHint')}</p>
      <button type="button" onClick={onDone}>
        {t('done')}
      </button>
    </div>
  );
}

/** What DeviceActions needs of GET /devices/:id. */
export interface ActionDevice {
  id: string;
  kind: string;
  name: string | null;
  disabled: boolean;
  commands: string[];
}

interface CommandAnswer {
  commandId: string;
  status: 'done';
  result: unknown;
  latencyMs: number;
}

function SendCommand({ device }: { device: ActionDevice }) {
  const t = useTx();
  const [name, setName] = useState(device.commands[0] ?? '');
  const [args, setArgs] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<CommandAnswer | null>(null);
  const [error, setError] = useState<Error | undefined>(undefined);
  if (device.commands.length === 0) return <p class="muted">{t('noCommands')}</p>;
  const send = async () => {
    let parsed: Record<string, unknown> = {};
    if (args.trim()) {
      try {
        const v = JSON.parse(args) as unknown;
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        parsed = v as Record<string, unknown>;
      } catch {
        setError(new Error(t('badJson')));
        return;
      }
    }
    setBusy(true);
    setError(undefined);
    setAnswer(null);
    try {
      setAnswer(
        await api<CommandAnswer>(`/devices/${encodeURIComponent(device.id)}/commands`, {
          method: 'POST',
          body: { name, args: parsed },
        }),
      );
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="stack"
      data-send-command
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) void send();
      }}
    >
      <div class="filters">
        <label>
          {t('command')}
          <select value={name} onChange={(e) => setName(e.currentTarget.value)}>
            {device.commands.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label class="grow">
          {t('commandArgs')}
          <textarea rows={2} value={args} placeholder='{"text": "…"}' onInput={(e) => setArgs(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy || !name}>
          {busy ? t('sending') : t('send')}
        </button>
      </div>
      <ErrorLine error={error} />
      {answer && (
        <div class="answer">
          <p>
            ✓ {t('commandDone')} · {t('latency')} {answer.latencyMs} ms · <code class="muted">{answer.commandId}</code>
          </p>
          {answer.result !== undefined && answer.result !== null && (
            <pre class="telemetry">{JSON.stringify(answer.result, null, 2)}</pre>
          )}
        </div>
      )}
    </form>
  );
}

type Asking = null | 'disable' | 'enable' | 'rotate' | 'delete';

/**
 * A device's actions, each only for the roles that may: a command (operator); disable or enable, a new secret
 * (shown once, with the setup QR code) and deletion after typing the id (admin). `onChanged` reloads the page.
 */
export function DeviceActions({ device, onChanged }: { device: ActionDevice; onChanged?: () => void }) {
  const { session, canOperate } = useApp();
  const t = useTx();
  const admin = session.role === 'admin';
  const [asking, setAsking] = useState<Asking>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [secret, setSecret] = useState<Issued | null>(null);
  const [deleted, setDeleted] = useState(false);
  if (!canOperate) return null;
  const path = `/devices/${encodeURIComponent(device.id)}`;
  const ask = (a: Asking) => {
    setAsking(a);
    setTyped('');
    setError(undefined);
  };
  const run = async (a: Exclude<Asking, null>) => {
    setBusy(true);
    setError(undefined);
    try {
      if (a === 'delete') {
        await api(path, { method: 'DELETE' });
        setDeleted(true);
        setTimeout(() => {
          location.hash = '#/devices';
        }, 1200);
      } else if (a === 'rotate') {
        setSecret(await api<Issued>(`${path}/rotate-secret`, { method: 'POST' }));
      } else {
        await api(`${path}/${a}`, { method: 'POST' });
      }
      setAsking(null);
      onChanged?.();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };
  if (deleted)
    return (
      <Card title={t('actions')} wide>
        <p role="status">{t('deleted')}</p>
      </Card>
    );
  return (
    <Card title={t('actions')} wide>
      <h3>{t('sendCommand')}</h3>
      {device.disabled ? <p class="muted">{t('disabled')}</p> : <SendCommand device={device} />}
      {admin && (
        <>
          <div class="actions wrap" data-admin-actions>
            {device.disabled ? (
              <button type="button" class="secondary" onClick={() => ask('enable')}>
                {t('enable')}
              </button>
            ) : (
              <button type="button" class="secondary" onClick={() => ask('disable')}>
                {t('disable')}
              </button>
            )}
            <button type="button" class="secondary" onClick={() => ask('rotate')}>
              {t('rotateSecret')}
            </button>
            <button type="button" class="danger" onClick={() => ask('delete')}>
              {t('deleteDevice')}
            </button>
          </div>
          {asking === 'disable' && (
            <Confirm
              text={t('disableConfirm')}
              busy={busy}
              onConfirm={() => void run('disable')}
              onCancel={() => ask(null)}
            />
          )}
          {asking === 'enable' && (
            <Confirm
              text={t('enableConfirm')}
              danger={false}
              busy={busy}
              onConfirm={() => void run('enable')}
              onCancel={() => ask(null)}
            />
          )}
          {asking === 'rotate' && (
            <Confirm
              text={t('rotateConfirm')}
              busy={busy}
              onConfirm={() => void run('rotate')}
              onCancel={() => ask(null)}
            />
          )}
          {asking === 'delete' && (
            <Confirm
              text={t('deleteConfirm')}
              busy={busy}
              ready={typed.trim() === device.id}
              onConfirm={() => void run('delete')}
              onCancel={() => ask(null)}
            >
              <label>
                {t('typeToConfirm')}: <code>{device.id}</code>
                <input
                  name="confirm-id"
                  autocomplete="off"
                  value={typed}
                  onInput={(e) => setTyped(e.currentTarget.value)}
                />
              </label>
            </Confirm>
          )}
          {secret && (
            <SecretOnce
              id={secret.id}
              kind={secret.kind}
              secret={secret.secret}
              caSha256={secret.caSha256}
              onDone={() => setSecret(null)}
            />
          )}
        </>
      )}
      <ErrorLine error={error} />
    </Card>
  );
}

/** The kinds of the firmware protocol [FWP-1.2]; the list adds any other kind GET /devices shows. */
export const KNOWN_KINDS = ['parcel_locker', 'vending_machine', 'door_reader', 'shop_scanner', 'charging_pile'];
const ID_PATTERN = '[a-z0-9](?:[a-z0-9\\-]*[a-z0-9])?';

/** Provision a device (admin): id, kind, name, and the shop for a shop scanner; the secret shown once + QR. */
export function ProvisionDevice({ onProvisioned }: { onProvisioned?: () => void }) {
  const { lang, tr, session } = useApp();
  const t = useTx();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ id: '', kind: 'parcel_locker', name: '', merchantId: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [secret, setSecret] = useState<Issued | null>(null);
  const devices = useData(
    () => (session.role === 'admin' ? api<{ items: { kind: string }[] }>('/devices') : Promise.resolve({ items: [] })),
    [],
  );
  if (session.role !== 'admin') return null;
  const kinds = [...new Set([...KNOWN_KINDS, ...(devices.data?.items ?? []).map((d) => d.kind)])];
  const scanner = form.kind === 'shop_scanner';
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, string> = { id: form.id.trim(), kind: form.kind };
      if (form.name.trim()) body.name = form.name.trim();
      if (scanner && form.merchantId.trim()) body.merchantId = form.merchantId.trim();
      setSecret(await api<Issued>('/devices', { method: 'POST', body }));
      setForm({ ...form, id: '', name: '', merchantId: '' });
      onProvisioned?.();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('provision')} wide>
      {!open && !secret && (
        <button type="button" onClick={() => setOpen(true)} data-provision-open>
          {t('provision')}
        </button>
      )}
      {open && !secret && (
        <form
          class="filters"
          data-provision
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) void submit();
          }}
        >
          <label>
            {tr('id')}
            <input
              name="id"
              required
              maxLength={48}
              pattern={ID_PATTERN}
              title={t('provisionHint')}
              autocomplete="off"
              value={form.id}
              onInput={(e) => setForm({ ...form, id: e.currentTarget.value.toLowerCase() })}
            />
          </label>
          <label>
            {tr('kind')}
            <select name="kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value })}>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {txOr(lang, `kind_${k}`, k)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {tr('name')} ({t('optional')})
            <input
              name="name"
              maxLength={100}
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
          </label>
          {scanner && (
            <label>
              {t('merchantForScanner')}
              <input
                name="merchantId"
                maxLength={64}
                pattern="[A-Za-z0-9_.:\-]+"
                value={form.merchantId}
                onInput={(e) => setForm({ ...form, merchantId: e.currentTarget.value })}
              />
            </label>
          )}
          <button type="submit" disabled={busy}>
            {t('provision')}
          </button>
          <button type="button" class="secondary" onClick={() => setOpen(false)}>
            {tr('cancel')}
          </button>
          <p class="muted full">{t('provisionHint')}</p>
        </form>
      )}
      <ErrorLine error={error} />
      {secret && (
        <>
          <p role="status">
            {t('provisioned')}: <a href={`#/devices/${encodeURIComponent(secret.id)}`}>{secret.id}</a>
          </p>
          <SecretOnce
            id={secret.id}
            kind={secret.kind}
            secret={secret.secret}
            caSha256={secret.caSha256}
            onDone={() => {
              setSecret(null);
              setOpen(false);
            }}
          />
        </>
      )}
    </Card>
  );
}
