import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { maskFreeText, maskName, maskPhone, maskTracking } from '../../gateway/privacy/mask.ts';
import { maskAnswer, seesPersonalData } from '../../gateway/privacy/mask-answers.ts';
import { capturedLog } from '../support/log-capture.ts';

describe('masking names and phones (the console’s rules, shared with the API and the logs)', () => {
  it('one copy of the rules: the console re-exports the shared module (built for the browser)', () => {
    const console = readFileSync(new URL('../../console/i18n-extra.ts', import.meta.url), 'utf8');
    expect(console).toContain("export { maskName, maskPhone } from '../gateway/privacy/mask.ts';");
    expect(console).not.toMatch(/function mask(Name|Phone)/);
  });

  it('names keep their first character, phones their first three and last four digits', () => {
    expect(maskName('张三丰')).toBe('张*');
    expect(maskName('  ')).toBe('—');
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskPhone('+86 138 1234 1234')).toBe('+86138****1234');
    expect(maskPhone('1234')).toBe('**34');
    expect(maskTracking('SF1234567890')).toBe('******7890');
    expect(maskFreeText('张三 13812341234')).toBe('张* 138****1234');
    expect(maskFreeText('visitor for Li Lei, call 138-1234-1234')).toBe('v* f* L* L* c* 138****1234');
    expect(maskFreeText(null)).toBe('—');
  });

  it('answers: visitor labels, tracking numbers, notes and phones, wherever they are nested', () => {
    const answer = {
      items: [{ id: 'ab12', label: '张三 13812341234', hostMemberId: 'm-1', zone: 'east' }],
      parcels: [{ id: 'p-1', tracking: 'SF1234567890', memberId: 'm-1' }],
      reversal: { by: 'desk', note: '退给张三' },
      device: { id: 'vm-01', label: 'lobby' },
    };
    expect(maskAnswer(answer)).toEqual({
      items: [{ id: 'ab12', label: '张* 138****1234', hostMemberId: 'm-1', zone: 'east' }],
      parcels: [{ id: 'p-1', tracking: '******7890', memberId: 'm-1' }],
      reversal: { by: 'desk', note: '退*' },
      // a label without a host is a device's or a token's, not a person's
      device: { id: 'vm-01', label: 'lobby' },
    });
    expect(seesPersonalData({ role: 'viewer', merchantId: null })).toBe(false);
    expect(seesPersonalData({ role: 'operator', merchantId: 'cafe-01' })).toBe(false);
    expect(seesPersonalData({ role: 'operator', merchantId: null })).toBe(true);
    expect(seesPersonalData({ role: 'admin', merchantId: null })).toBe(true);
  });

  it('logs: phones, notes and labels masked, secrets still redacted', () => {
    const { log, lines } = capturedLog();
    log.info(
      { phone: '13812341234', visit: { visitorLabel: '张三 13912345678' }, note: '退给李四', secret: 'S3CRET' },
      'x',
    );
    const line = JSON.parse(lines[0] ?? '{}');
    expect(line).toMatchObject({
      phone: '138****1234',
      visit: { visitorLabel: '张* 139****5678' },
      note: '退*',
      secret: '[redacted]',
    });
    for (const s of ['13812341234', '13912345678', '张三', '李四', 'S3CRET']) expect(lines.join('')).not.toContain(s);
  });
});
