import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../gateway/reports/csv.ts';
import { parseReportTime, reportPeriod } from '../../gateway/reports/period.ts';

describe('toCsv', () => {
  it('quotes commas, quotes and line breaks (RFC 4180) and starts with a UTF-8 BOM', () => {
    const rows = [
      { name: '张三商店, 一楼', note: 'say "hi"', n: 12 },
      { name: 'line\nbreak', note: 'cr\rhere', n: null },
      { name: '便利店', note: '', n: 0 },
    ];
    const csv = toCsv(rows, [
      { header: '名称', value: (r) => r.name },
      { header: 'note', value: (r) => r.note },
      { header: 'n', value: (r) => r.n },
    ]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.slice(1)).toBe(
      '名称,note,n\r\n"张三商店, 一楼","say ""hi""",12\r\n"line\nbreak","cr\rhere",\r\n便利店,,0\r\n',
    );
  });

  it('leaves plain fields alone', () => {
    expect(csvField('abc')).toBe('abc');
    expect(csvField(-12)).toBe('-12');
    expect(csvField(undefined)).toBe('');
    expect(csvField('"')).toBe('""""');
  });
});

describe('report periods', () => {
  const now = Date.parse('2025-03-10T20:00:00Z'); // 2025-03-11 04:00 in Shanghai

  it('reads dates and zone-less times on the Shanghai clock, zoned times as written', () => {
    expect(parseReportTime('2025-03-01')).toBe(Date.parse('2025-02-28T16:00:00Z'));
    expect(parseReportTime('2025-03-01T08:30')).toBe(Date.parse('2025-03-01T00:30:00Z'));
    expect(parseReportTime('2025-03-01T08:30:00Z')).toBe(Date.parse('2025-03-01T08:30:00Z'));
    expect(parseReportTime('2025-03-01T08:30:00+08:00')).toBe(Date.parse('2025-03-01T00:30:00Z'));
    expect(parseReportTime('2025-02-30')).toBeUndefined();
    expect(parseReportTime('yesterday')).toBeUndefined();
  });

  it('defaults to the last 30 Shanghai days, today included', () => {
    expect(reportPeriod({}, now)).toEqual({
      from: Date.parse('2025-02-09T16:00:00Z'),
      to: Date.parse('2025-03-11T16:00:00Z'),
    });
  });

  it('refuses an empty, reversed, too long or unreadable period', () => {
    expect(() => reportPeriod({ from: '2025-03-02', to: '2025-03-02' }, now)).toThrow(/from must be before to/);
    expect(() => reportPeriod({ from: '2025-03-02', to: '2025-03-01' }, now)).toThrow(/from must be before to/);
    expect(() => reportPeriod({ from: '2024-01-01', to: '2025-03-01' }, now)).toThrow(/at most 400 days/);
    expect(() => reportPeriod({ from: '2025-13-01', to: '2025-03-01' }, now)).toThrow(/from: "2025-13-01"/);
    expect(reportPeriod({ from: '2024-03-01', to: '2025-04-04' }, now).to).toBe(Date.parse('2025-04-03T16:00:00Z'));
  });
});
