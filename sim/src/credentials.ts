import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { DeviceKindSchema } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { NETWORK_WORDS, systemCode, UserError } from '../../gateway/cli/user-error.ts';
import { claimSimDevices, SIM_MARK, type Claimed, type RegistryPort } from './claim.ts';
import { SimCredentialsSchema, type SimCredential, type SimFleetPlan } from './fleet.ts';

/** Reads `[{id, kind, secret}]` from a JSON file; a bad file names the exact entry and field. */
export function readCredentialsFile(file: string): SimCredential[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(
      `cannot read credentials file ${file}: ${(err as Error).message}`,
      'give a JSON file [{"id","kind","secret"}], or --api URL with --token TOKEN',
      2,
    );
  }
  const parsed = SimCredentialsSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) =>
        `${
          i.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '') || '(root)'
        }: ${i.message}`,
    );
    throw new UserError(
      `invalid credentials file ${file}:\n  ${lines.join('\n  ')}`,
      `each entry: {"id": "...", "kind": "${DeviceKindSchema.options.join('|')}", "secret": "..."}`,
      2,
    );
  }
  return parsed.data;
}

const ApiAnswer = z
  .object({
    secret: z.string().optional(),
    name: z.string().nullable().optional(),
    kind: DeviceKindSchema.optional(),
    disabled: z.boolean().optional(),
    error: z.object({ code: z.string(), message: z.string() }).partial().optional(),
  })
  .loose();

/**
 * Gets a secret for each simulated device of the plan from a gateway's staff API, touching only devices
 * `linli sim` created (see claimSimDevices): a real device is never rotated, enabled or reused.
 */
export async function credentialsFromApi(
  api: string,
  token: string,
  plan: SimFleetPlan,
): Promise<{ credentials: SimCredential[]; claimed: Claimed[]; passed: { id: string; why: string }[] }> {
  const base = api.replace(/\/$/, '');
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const code = systemCode(err);
      const cause = (err as { cause?: unknown }).cause;
      throw new UserError(
        `cannot reach the gateway API at ${base}: ` +
          `${(code && NETWORK_WORDS[code]) ?? (cause instanceof Error ? cause.message : (err as Error).message)}`,
        'is the gateway running? --api is its staff API address, ' +
          'e.g. http://127.0.0.1:8080 (the demo prints it as "Staff API")',
        1,
        { cause: err },
      );
    }
    const json = ApiAnswer.safeParse(await res.json().catch(() => ({})));
    const answer = json.success ? json.data : {};
    if (res.status === 401)
      throw new UserError(
        `the gateway at ${base} refused the API token (401 ${answer.error?.code ?? 'UNAUTHENTICATED'})`,
        'give an admin token with --token; on the gateway: linli token create --role admin --data DIR',
      );
    if (res.status === 403)
      throw new UserError(
        `the API token may not provision devices (403 ${answer.error?.code ?? 'FORBIDDEN'})`,
        'provisioning needs an admin token: linli token create --role admin --data DIR',
      );
    return { status: res.status, answer };
  };
  const failed = (what: string, r: { status: number; answer: z.infer<typeof ApiAnswer> }) =>
    new UserError(
      `could not ${what}: HTTP ${r.status} ${r.answer.error?.code ?? ''} ${r.answer.error?.message ?? ''}`.trim(),
      'run again with --verbose, or check the gateway log',
    );
  const port: RegistryPort = {
    async find(id) {
      const r = await call('GET', `/api/v1/devices/${encodeURIComponent(id)}`);
      if (r.status === 404) return undefined;
      if (r.status !== 200 || !r.answer.kind) throw failed(`read device ${id}`, r);
      return { kind: r.answer.kind, name: r.answer.name ?? null, disabled: r.answer.disabled === true };
    },
    async provision(d) {
      const r = await call('POST', '/api/v1/devices', d);
      if (r.status === 409 && r.answer.error?.code === 'DEVICE_EXISTS') return undefined;
      if (!r.answer.secret) throw failed(`provision ${d.id}`, r);
      return r.answer.secret;
    },
    async rotate(id) {
      const r = await call('POST', `/api/v1/devices/${encodeURIComponent(id)}/rotate-secret`);
      if (!r.answer.secret) throw failed(`issue a new secret for ${id}`, r);
      return r.answer.secret;
    },
  };
  const { claimed, passed } = await claimSimDevices(plan, SIM_MARK, port);
  return { credentials: claimed.map(({ id, kind, secret }) => ({ id, kind, secret })), claimed, passed };
}
