const TOKEN_KEY = 'linli.token';

export interface Session {
  id: string;
  role: 'viewer' | 'operator' | 'admin';
  label: string | null;
  merchantId: string | null;
}

/** An answer of the API that is not a success: its stable code and the server's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onExpired: (() => void) | undefined;
/** Called once when the API refuses the token (expired, revoked): the console goes back to the login. */
export const whenExpired = (fn: () => void) => {
  onExpired = fn;
};

export const savedToken = (): string | null => localStorage.getItem(TOKEN_KEY);
export const saveToken = (token: string) => localStorage.setItem(TOKEN_KEY, token);
export const forgetToken = () => localStorage.removeItem(TOKEN_KEY);

/** Calls the staff API with the token in the Authorization header (never in a URL, so never in a log). */
export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const token = init.token ?? savedToken();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? null : JSON.stringify(init.body),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const e = (json ?? {}) as { code?: string; message?: string; error?: { code?: string; message?: string } };
    const code = e.error?.code ?? e.code ?? `HTTP_${res.status}`;
    const message = e.error?.message ?? e.message ?? res.statusText;
    if (res.status === 401 && init.token === undefined) onExpired?.();
    throw new ApiError(res.status, code, message);
  }
  return json as T;
}

/** A CSV download with the token: a plain link could not carry the Authorization header. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(`/api/v1${path}`, { headers: { authorization: `Bearer ${savedToken() ?? ''}` } });
  if (res.status === 401) onExpired?.();
  if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
