import { readFileSync } from 'node:fs';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { SimCredentialsSchema, type SimCredential } from './fleet.ts';

/** Reads `[{id, kind, secret}]` from a JSON file; a bad file names the exact entry and field. */
export function readCredentialsFile(file: string): SimCredential[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read credentials file ${file}: ${(err as Error).message}`);
  }
  const parsed = SimCredentialsSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)'}: ${i.message}`);
    throw new Error(`invalid credentials file ${file}:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/**
 * Gets a secret for each device from a gateway's staff API: provision it, or rotate its secret when
 * it exists (the gateway never stores secrets in clear, so it cannot hand out the old one).
 */
export async function credentialsFromApi(api: string, token: string, devices: { id: string; kind: DeviceKind; merchantId?: string }[]): Promise<SimCredential[]> {
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(`${api.replace(/\/$/, '')}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json().catch(() => ({}))) as { secret?: string; error?: { code?: string; message?: string } };
    return { status: res.status, json };
  };
  const out: SimCredential[] = [];
  for (const d of devices) {
    let r = await post('/api/v1/devices', { id: d.id, kind: d.kind, ...(d.merchantId ? { merchantId: d.merchantId } : {}) });
    if (r.status === 409 && r.json.error?.code === 'DEVICE_EXISTS') r = await post(`/api/v1/devices/${d.id}/rotate-secret`);
    if (!r.json.secret) throw new Error(`could not get credentials for ${d.id}: HTTP ${r.status} ${r.json.error?.code ?? ''} ${r.json.error?.message ?? ''}`);
    out.push({ id: d.id, kind: d.kind, secret: r.json.secret });
  }
  return out;
}
