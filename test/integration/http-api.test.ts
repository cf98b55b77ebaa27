import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from '../support/gateway-harness.ts';

type Role = 'none' | 'bad' | 'viewer' | 'operator' | 'admin';
const ROLES: Role[] = ['none', 'bad', 'viewer', 'operator', 'admin'];

describe('HTTP API: authentication and roles', () => {
  let h: Harness;
  const tokens: Partial<Record<Role, string | null>> = {};

  beforeAll(async () => {
    h = await startGateway();
    tokens.none = null;
    tokens.bad = `llt_${'x'.repeat(43)}`;
    tokens.viewer = (await h.gw.tokens.create('viewer')).token;
    tokens.operator = (await h.gw.tokens.create('operator')).token;
    tokens.admin = h.adminToken;
    await h.gw.devices.provision({ id: 'vm-01', kind: 'vending_machine' });
  });
  afterAll(() => h.stop());

  // least role for each route; 'open' needs no token
  const routes: { method: string; path: string; least: Role | 'open'; body?: unknown; okStatus: number[] }[] = [
    { method: 'GET', path: '/healthz', least: 'open', okStatus: [200] },
    { method: 'GET', path: '/docs/json', least: 'open', okStatus: [200] },
    { method: 'GET', path: '/api/v1/devices', least: 'viewer', okStatus: [200] },
    { method: 'GET', path: '/api/v1/devices/vm-01', least: 'viewer', okStatus: [200] },
    { method: 'GET', path: '/api/v1/devices/vm-01/health-history', least: 'viewer', okStatus: [200] },
    {
      method: 'POST',
      path: '/api/v1/devices/vm-01/commands',
      least: 'operator',
      body: { name: 'ping' },
      okStatus: [409],
    },
    { method: 'POST', path: '/api/v1/devices/vm-01/enable', least: 'admin', okStatus: [200] },
    { method: 'GET', path: '/api/v1/tokens', least: 'admin', okStatus: [200] },
    {
      method: 'POST',
      path: '/api/v1/tokens',
      least: 'admin',
      body: { role: 'viewer', label: 'matrix' },
      okStatus: [201],
    },
  ];
  const rank: Record<Role, number> = { none: -2, bad: -1, viewer: 0, operator: 1, admin: 2 };

  for (const r of routes) {
    for (const role of ROLES) {
      const allowed = r.least === 'open' || rank[role] >= rank[r.least];
      const expected = allowed ? r.okStatus : role === 'none' || role === 'bad' ? [401] : [403];
      it(`${r.method} ${r.path} as ${role} → ${expected.join('/')}`, async () => {
        const res = await h.api(r.path, { method: r.method, token: tokens[role] ?? null, body: r.body });
        expect(expected).toContain(res.status);
        if (res.status === 401) expect(res.body.error.code).toBe('UNAUTHENTICATED');
        if (res.status === 403) expect(res.body.error.code).toBe('FORBIDDEN');
      });
    }
  }

  it('provisioning over the API shows the secret once and refuses duplicates and bad ids', async () => {
    const created = await h.api('/api/v1/devices', {
      method: 'POST',
      body: { id: 'door-07', kind: 'door_reader', name: 'Gate 7' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'door-07', kind: 'door_reader', secret: expect.any(String) });
    const detail = await h.api('/api/v1/devices/door-07');
    expect(JSON.stringify(detail.body)).not.toContain(created.body.secret);
    expect(detail.body.status).toBe('unknown');
    expect(
      (await h.api('/api/v1/devices', { method: 'POST', body: { id: 'door-07', kind: 'door_reader' } })).body.error
        .code,
    ).toBe('DEVICE_EXISTS');
    const bad = await h.api('/api/v1/devices', { method: 'POST', body: { id: 'Door 7', kind: 'toaster' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.message).toMatch(/id/);
    expect(bad.body.error.message).toMatch(/kind/);
  });

  it('unknown device → 404 DEVICE_NOT_FOUND; revoked token → 401', async () => {
    const res = await h.api('/api/v1/devices/nope-1');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('DEVICE_NOT_FOUND');
    const t = await h.gw.tokens.create('viewer');
    expect((await h.api('/api/v1/devices', { token: t.token })).status).toBe(200);
    expect((await h.api(`/api/v1/tokens/${t.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await h.api('/api/v1/devices', { token: t.token })).status).toBe(401);
  });

  it('filters the device list by kind and status', async () => {
    const res = await h.api('/api/v1/devices?kind=vending_machine');
    expect(res.body.items.map((d: { id: string }) => d.id)).toEqual(['vm-01']);
    expect((await h.api('/api/v1/devices?status=fault')).body.items).toEqual([]);
    expect((await h.api('/api/v1/devices?kind=toaster')).status).toBe(400);
  });

  it('healthz reports readiness, broker and device counts', async () => {
    const res = await h.api('/healthz', { token: null });
    expect(res.body).toMatchObject({
      status: 'ok',
      ready: true,
      database: 'ok',
      broker: { connections: expect.any(Number) },
      eventLoop: { maxMs: expect.any(Number) },
    });
    expect(res.body.devices.unknown).toBeGreaterThanOrEqual(1);
    // the process's own memory, as the OS and V8 see it
    const m = res.body.memory as Record<string, number>;
    expect(m.rssMb).toBeCloseTo(process.memoryUsage().rss / 1048576, -2);
    expect(m.heapUsedMb).toBeGreaterThan(1);
    expect(m.heapTotalMb).toBeGreaterThanOrEqual(m.heapUsedMb ?? 0);
  });

  it('serves the staff console without data in it, every asset from the gateway itself, gzipped', async () => {
    const res = await fetch(`${h.endpoints.httpUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self';/);
    const html = await res.text();
    expect(html).toContain('console/app.js');
    expect(html).not.toContain('vm-01');
    expect(html).not.toMatch(/https?:\/\//);
    const js = await fetch(`${h.endpoints.httpUrl}/console/app.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const etag = js.headers.get('etag') ?? '';
    expect(await js.text()).toContain('/api/v1');
    const again = await fetch(`${h.endpoints.httpUrl}/console/app.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await fetch(`${h.endpoints.httpUrl}/console/nope.js`)).status).toBe(404);
    expect((await fetch(`${h.endpoints.httpUrl}/console/..%2Fapp.ts`)).status).toBe(400);
  });

  it('every documented route except /healthz refuses a request without a token (deny by default)', async () => {
    const doc = (await h.api('/docs/json', { token: null })).body as { paths: Record<string, Record<string, unknown>> };
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        if (path === '/healthz') continue;
        const url = path.replace(/\{[^}]+\}/g, 'vm-01');
        const res = await h.api(url, {
          method: method.toUpperCase(),
          token: null,
          // a one-time sign-in link's code is that route's credential: an unknown one is refused alike
          ...(method === 'get' || method === 'delete'
            ? {}
            : { body: path === '/api/v1/session/link' ? { code: 'lln_unknown' } : {} }),
        });
        expect(res.status, `${method.toUpperCase()} ${path}`).toBe(401);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
    const viewer = (await h.gw.tokens.create('viewer')).token;
    for (const [method, url] of [
      ['POST', '/api/v1/devices/vm-01/rotate-secret'],
      ['POST', '/api/v1/devices/vm-01/disable'],
      ['DELETE', '/api/v1/tokens/x'],
      ['POST', '/api/v1/redemptions/r-1/reverse'],
    ] as const) {
      expect((await h.api(url, { method, token: viewer })).status, `${method} ${url}`).toBe(403);
    }
  });

  it('serves OpenAPI documentation', async () => {
    const res = await h.api('/docs/json', { token: null });
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/devices', '/api/v1/devices/{id}/commands', '/healthz']),
    );
  });
});
