import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../gateway/core/log.ts';

describe('log redaction', () => {
  it('never writes secrets, passwords, tokens or card data', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ level: 'info', destination });
    log.info({ secret: 'S3CRET', password: 'P4SS', token: 'llt_TOKEN', cardUid: '04A1B2C3', device: { secret: 'NESTED' }, headers: { authorization: 'Bearer llt_X' } }, 'x');
    const out = lines.join('');
    for (const s of ['S3CRET', 'P4SS', 'llt_TOKEN', '04A1B2C3', 'NESTED', 'llt_X']) expect(out).not.toContain(s);
    expect(out).toContain('[redacted]');
  });
});
