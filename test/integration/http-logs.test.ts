import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from '../support/gateway-harness.ts';
import { capturedLog } from '../support/log-capture.ts';

/** What the HTTP layer logs, read from a JSON log at debug level. */
describe('staff API: request logs and unknown routes', () => {
  let h: Harness;
  const { log, records: lines } = capturedLog<{
    level: number;
    msg: string;
    component?: string;
    method?: string;
    url?: string;
    status?: number;
  }>('debug');
  beforeAll(async () => {
    h = await startGateway({}, { log });
  });
  afterAll(() => h.stop());
  const http = () => lines.filter((l) => l.component === 'http');

  it('one line per request: reads at debug, changes and refusals at info; never two lines per request', async () => {
    lines.length = 0;
    for (let i = 0; i < 5; i++) expect((await h.api('/api/v1/devices')).status).toBe(200);
    expect(
      (await h.api('/api/v1/devices', { method: 'POST', body: { id: 'door-01', kind: 'door_reader' } })).status,
    ).toBe(201);
    expect((await h.api('/api/v1/devices', { token: null })).status).toBe(401);
    const requests = http().filter((l) => l.msg === 'request');
    expect(requests.filter((l) => l.method === 'GET' && l.status === 200).map((l) => l.level)).toEqual([
      20, 20, 20, 20, 20,
    ]);
    expect(requests.find((l) => l.method === 'POST')).toMatchObject({ level: 30, status: 201, url: '/api/v1/devices' });
    expect(requests.find((l) => l.status === 401)).toMatchObject({ level: 30 });
    expect(http().filter((l) => l.level >= 30 && l.msg !== 'request' && l.msg !== 'provisioned over the API')).toEqual(
      [],
    );
    expect(http().some((l) => /incoming request|request completed/.test(l.msg))).toBe(false);
  });

  it('no token, sign-in code or new token ever reaches the log, at debug level either', async () => {
    lines.length = 0;
    const { code } = await h.gw.tokens.createLink('operator', 'desk', null);
    const signedIn = await h.api('/api/v1/session/link', { method: 'POST', token: null, body: { code } });
    expect(signedIn.status).toBe(200);
    const token = signedIn.body.token as string;
    expect((await h.api('/api/v1/session', { token })).status).toBe(200);
    const stream = new AbortController();
    const res = await fetch(`${h.endpoints.httpUrl}/api/v1/stream`, {
      headers: { authorization: `Bearer ${token}` },
      signal: stream.signal,
    });
    expect(res.status).toBe(200);
    stream.abort();
    await h.api('/api/v1/alerts', { token: h.adminToken });
    const all = JSON.stringify(lines);
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [code, token, h.adminToken]) expect(all).not.toContain(secret.slice(4));
  });

  it('an unknown route answers 404 in the documented error form', async () => {
    const r = await h.api('/api/v1/nope?x=1');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: 'no route GET /api/v1/nope',
        details: { method: 'GET', path: '/api/v1/nope' },
      },
    });
    const put = await h.api('/api/v1/devices', { method: 'PUT', body: {} });
    expect(put.status).toBe(404);
    expect(put.body.error.code).toBe('NOT_FOUND');
    // without a token the answer is the same form: 401 first, so routes are not probed anonymously
    expect((await h.api('/api/v1/nope', { token: null })).body).toEqual({
      error: { code: 'UNAUTHENTICATED', message: expect.any(String) },
    });
  });

  it('the console shows the community activity beside device health', async () => {
    const page = await h.api('/console/app.js', { token: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain('/activity?since=');
    expect(page.body).toContain('Benefits applied');
  });
});
