import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DoctorReportSchema } from '../../gateway/doctor/finding.ts';
import { startGateway, type Harness } from '../support/gateway-harness.ts';

/** GET /api/v1/doctor: the same checks, inside a running gateway, for staff who may read. */
describe('GET /api/v1/doctor', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startGateway({ mqtt: { plaintext: true } } as never);
  });
  afterAll(() => h?.stop());

  it('a report of the schema: its database and ledger checked, plain MQTT warned', async () => {
    const r = await h.api('/api/v1/doctor');
    expect(r.status).toBe(200);
    const report = DoctorReportSchema.parse(r.body);
    const byId = new Map(report.findings.map((f) => [f.id, f]));
    expect(byId.get('config')?.status).toBe('ok');
    expect(byId.get('database.quick-check')?.status).toBe('ok');
    expect(byId.get('database.ledger')?.status).toBe('ok');
    expect(byId.get('plaintext')).toMatchObject({ status: 'warn', fix: expect.stringContaining('mqtt.plaintext') });
    // the harness's ports are chosen at start (0): none to probe; the gateway's clock trust is its own
    expect([...byId.keys()].filter((id) => id.startsWith('ports.'))).toEqual([]);
    expect(byId.get('clock.gateway')).toMatchObject({ status: 'ok' });
    // no backup was ever made of the harness's folder
    expect(byId.get('backup')?.status).toBe('fail');
    expect(report.exitCode).toBe(2);
    console.info(`doctor inside the gateway: ${report.tookMs} ms, ${report.findings.length} findings`);
    expect(report.findings[0]?.status).toBe('fail');
  });

  it('requests while a run is under way share its report', async () => {
    const [a, b] = await Promise.all([h.api('/api/v1/doctor'), h.api('/api/v1/doctor')]);
    expect(a.body).toEqual(b.body);
    const later = await h.api('/api/v1/doctor');
    expect(later.status).toBe(200);
  });

  it('viewers may read it; no token is refused; a shop’s token is refused', async () => {
    const viewer = await h.gw.tokens.create('viewer', 'v');
    expect((await h.api('/api/v1/doctor', { token: viewer.token })).status).toBe(200);
    expect((await h.api('/api/v1/doctor', { token: null })).status).toBe(401);
    const shop = await h.gw.tokens.create('operator', 'till', 'm-1');
    expect((await h.api('/api/v1/doctor', { token: shop.token })).status).toBe(403);
  });
});
