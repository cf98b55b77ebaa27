import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { AlertWebhooksConfigSchema, redactAlertWebhooks } from '../../../gateway/alerts/webhooks/webhook-config.ts';

function problems(input: unknown): string[] {
  const r = AlertWebhooksConfigSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('AlertWebhooksConfigSchema', () => {
  it('fills in the defaults', () => {
    const c = AlertWebhooksConfigSchema.parse({
      targets: [{ name: '物业群', format: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' }],
    });
    expect(c).toEqual({
      targets: [
        {
          name: '物业群',
          format: 'wecom',
          url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k',
          severities: ['critical', 'warning'],
          transitions: ['raised', 'cleared'],
          language: 'zh-CN',
          timeoutMs: 5000,
        },
      ],
      dedupeWindowS: 600,
      maxAttempts: 8,
      retryBaseMs: 2000,
      retryMaxMs: 300_000,
      queueLimit: 200,
    });
    expect(AlertWebhooksConfigSchema.parse({}).targets).toEqual([]);
    const feishu = AlertWebhooksConfigSchema.parse({
      targets: [{ name: 'f', format: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/x', secret: 's' }],
    });
    expect(feishu.targets[0]).toMatchObject({ msgType: 'interactive', secret: 's' });
  });

  it('refuses bad URLs with the path and the reason', () => {
    expect(problems({ targets: [{ name: 'a', format: 'wecom', url: 'qyapi.weixin.qq.com/x' }] })).toEqual([
      'targets.0.url: must be an absolute URL, e.g. https://oapi.dingtalk.com/robot/send?…',
    ]);
    expect(problems({ targets: [{ name: 'a', format: 'json', url: 'ftp://example.com/x' }] })).toEqual([
      'targets.0.url: must use https:// or http://, not ftp://',
    ]);
    expect(problems({ targets: [{ name: 'a', format: 'json', url: 'https://u:p@example.com/' }] })).toEqual([
      'targets.0.url: must not carry a user name or password',
    ]);
  });

  it('refuses an unknown format, a secret where the robot has none, and duplicate names', () => {
    expect(problems({ targets: [{ name: 'a', format: 'slack', url: 'https://x.test/' }] })).toEqual([
      'targets.0.format: format must be one of wecom, dingtalk, feishu, json',
    ]);
    const wecomSecret = problems({ targets: [{ name: 'a', format: 'wecom', url: 'https://x.test/', secret: 's' }] });
    expect(wecomSecret).toHaveLength(1);
    expect(wecomSecret[0]).toMatch(/^targets\.0: .*secret/);
    expect(
      problems({
        targets: [
          { name: 'a', format: 'json', url: 'https://x.test/1' },
          { name: 'a', format: 'json', url: 'https://x.test/2' },
        ],
      }),
    ).toEqual(['targets.1.name: duplicate name "a"']);
  });

  it('refuses unknown severities, empty filters and stray keys', () => {
    const p = problems({
      targets: [{ name: 'a', format: 'json', url: 'https://x.test/', severities: ['fatal'], transitions: [] }],
      retries: 3,
    });
    expect(p.some((m) => m.startsWith('targets.0.severities.0:'))).toBe(true);
    expect(p.some((m) => m.startsWith('targets.0.transitions:'))).toBe(true);
    expect(p.some((m) => m.includes('retries'))).toBe(true);
  });

  it('gives readable messages through z.prettifyError', () => {
    const r = AlertWebhooksConfigSchema.safeParse({ targets: [{ name: 'a', format: 'wecom', url: 'nope' }] });
    expect(r.success).toBe(false);
    if (!r.success) expect(z.prettifyError(r.error)).toContain('targets[0].url');
  });

  it('redacts the robots’ tokens and secrets for display', () => {
    const c = AlertWebhooksConfigSchema.parse({
      targets: [
        { name: 'd', format: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=TOK', secret: 'SEC1' },
        { name: 'f', format: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/PATHTOK' },
      ],
    });
    const shown = redactAlertWebhooks(c);
    expect(shown.targets.map((t) => t.url)).toEqual([
      'https://oapi.dingtalk.com/[redacted]',
      'https://open.feishu.cn/[redacted]',
    ]);
    expect(shown.targets[0]).toMatchObject({ secret: '[redacted]', name: 'd' });
    expect('secret' in (shown.targets[1] ?? {})).toBe(false);
    expect(JSON.stringify(c)).toContain('TOK');
  });
});
