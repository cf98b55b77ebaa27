import { describe, expect, it } from 'vitest';
import { capturedLog } from '../support/log-capture.ts';

describe('log redaction', () => {
  it('never writes secrets, passwords, tokens or card data', () => {
    const { log, lines } = capturedLog();
    log.info(
      {
        secret: 'S3CRET',
        password: 'P4SS',
        token: 'llt_TOKEN',
        cardUid: '04A1B2C3',
        device: { secret: 'NESTED' },
        headers: { authorization: 'Bearer llt_X' },
      },
      'x',
    );
    const out = lines.join('');
    for (const s of ['S3CRET', 'P4SS', 'llt_TOKEN', '04A1B2C3', 'NESTED', 'llt_X']) expect(out).not.toContain(s);
    expect(out).toContain('[redacted]');
  });
});

describe('credentials in URLs', () => {
  it('a token in a query string is never logged, from a url field, a request object or a real request', async () => {
    const { redactUrl } = await import('../../gateway/core/log.ts');
    expect(redactUrl('/api/v1/devices?token=llt_abc&limit=5')).toBe('/api/v1/devices?token=[redacted]&limit=5');
    expect(redactUrl('/x?a=1&ACCESS_TOKEN=zz#frag')).toBe('/x?a=1&ACCESS_TOKEN=[redacted]#frag');
    const { log, lines } = capturedLog('debug');
    log.info({ url: '/a?token=llt_ONE' }, 'x');
    log.child({ component: 'http' }).info({ req: { method: 'GET', url: '/b?password=TWO' } }, 'y');
    const { startGateway } = await import('../support/gateway-harness.ts');
    const h = await startGateway({}, { log });
    try {
      await h.api(`/api/v1/devices?token=${h.adminToken}`, { token: null });
      await h.api(`/api/v1/devices?token=${h.adminToken}`);
      await h.api(`/nope?token=${h.adminToken}`);
    } finally {
      await h.stop();
    }
    const out = lines.join('');
    expect(out).toContain('/api/v1/devices');
    for (const s of ['llt_ONE', 'TWO', h.adminToken]) expect(out).not.toContain(s);
  });
});
