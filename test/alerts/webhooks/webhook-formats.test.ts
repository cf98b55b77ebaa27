import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlertWebhookTargetSchema } from '../../../gateway/alerts/webhooks/webhook-config.ts';
import { buildWebhookRequest, readWebhookAnswer } from '../../../gateway/alerts/webhooks/webhook-formats.ts';
import { noticeText, shanghaiTime } from '../../../gateway/alerts/webhooks/webhook-text.ts';
import { notice, RAISED_AT } from './fixtures.ts';

const NOW = RAISED_AT + 30_000;
const ctx = { communityName: '阳光花园', now: NOW };
const target = (t: Record<string, unknown>) => AlertWebhookTargetSchema.parse({ name: 'group', ...t });

describe('alert webhook text', () => {
  it('shows Shanghai time (UTC+8, no daylight saving), across midnight and the year', () => {
    expect(shanghaiTime(RAISED_AT)).toBe('2026-12-01 20:05');
    expect(shanghaiTime(Date.UTC(2026, 11, 31, 16, 30))).toBe('2027-01-01 00:30');
    expect(shanghaiTime(Date.UTC(2026, 6, 1, 0, 0))).toBe('2026-07-01 08:00');
  });

  it('labels the alert in Chinese with its own message, device and transition', () => {
    expect(noticeText(notice('raised'), 'zh-CN', '阳光花园', NOW)).toEqual({
      headline: '【严重】设备 快递柜A (locker-1): door.open — 柜门已开 12 分钟',
      lines: ['小区：阳光花园', '状态：新告警', '时间：2026-12-01 20:05'],
    });
    const acked = noticeText(notice('acknowledged'), 'zh-CN', '阳光花园', NOW);
    expect(acked.headline).toBe('【严重·已确认】设备 快递柜A (locker-1): door.open — 柜门已开 12 分钟');
    expect(acked.lines).toEqual([
      '小区：阳光花园',
      '状态：已确认',
      '时间：2026-12-01 20:06',
      '处理人：王师傅',
      '备注：马上到',
    ]);
    const cleared = noticeText(notice('cleared', { severity: 'warning' }), 'zh-CN', '阳光花园', NOW);
    expect(cleared.headline).toMatch(/^【警告·已恢复】/);
    expect(cleared.lines).toContain('时间：2026-12-01 20:15');
  });

  it('labels it in English, and names the gateway for its own conditions', () => {
    expect(noticeText(notice('raised'), 'en', 'Sunny Garden', NOW)).toEqual({
      headline: '[CRITICAL] device 快递柜A (locker-1): door.open — 柜门已开 12 分钟',
      lines: ['Community: Sunny Garden', 'Status: raised', 'Time: 2026-12-01 20:05 (UTC+8)'],
    });
    const own = notice('cleared', { deviceId: null, code: 'cloud.down', message: 'cloud link down', severity: 'info' });
    own.deviceName = undefined;
    expect(noticeText(own, 'en', 'x', NOW).headline).toBe('[INFO · CLEARED] gateway: cloud.down — cloud link down');
    expect(noticeText(own, 'zh-CN', 'x', NOW).headline).toBe('【提示·已恢复】网关: cloud.down — cloud link down');
  });

  it('shortens a runaway message', () => {
    const t = noticeText(notice('raised', { message: 'x'.repeat(5000) }), 'en', 'c', NOW);
    expect(t.headline.length).toBeLessThan(600);
    expect(t.headline.endsWith('…')).toBe(true);
  });
});

describe('alert webhook requests', () => {
  it('WeCom: a markdown message with the content', () => {
    const req = buildWebhookRequest(
      target({ format: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K1' }),
      notice('raised'),
      ctx,
    );
    expect(req.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K1');
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(req.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        content:
          '**【严重】设备 快递柜A (locker-1): door.open — 柜门已开 12 分钟**\n' +
          '> 小区：阳光花园\n> 状态：新告警\n> 时间：2026-12-01 20:05',
      },
    });
  });

  it('DingTalk: title and text, unsigned without a secret', () => {
    const url = 'https://oapi.dingtalk.com/robot/send?access_token=T1';
    const req = buildWebhookRequest(target({ format: 'dingtalk', url, language: 'en' }), notice('raised'), ctx);
    expect(req.url).toBe(url);
    expect(req.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        title: '[CRITICAL] device 快递柜A (locker-1): door.open — 柜门已开 12 分钟',
        text:
          '**[CRITICAL] device 快递柜A (locker-1): door.open — 柜门已开 12 分钟**\n\n' +
          '> Community: 阳光花园\n\n> Status: raised\n\n> Time: 2026-12-01 20:05 (UTC+8)',
      },
    });
  });

  it('DingTalk 加签: ms timestamp and the url-encoded HMAC-SHA256 of "<ts>\\n<secret>" keyed by the secret', () => {
    const secret = 'SEC0123456789abcdef+/=';
    const url = 'https://oapi.dingtalk.com/robot/send?access_token=T1';
    const req = buildWebhookRequest(target({ format: 'dingtalk', url, secret }), notice('raised'), ctx);
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(Buffer.from(`${NOW}\n${secret}`, 'utf8'))
      .digest()
      .toString('base64');
    expect(req.url.startsWith(`${url}&timestamp=${NOW}&sign=`)).toBe(true);
    const query = new URL(req.url).searchParams;
    expect(query.get('access_token')).toBe('T1');
    expect(query.get('timestamp')).toBe(String(NOW));
    expect(query.get('sign')).toBe(expected);
    // the base64 alphabet's + / = must arrive encoded, not as a space
    expect(req.url).not.toMatch(/sign=[^&]*[+/=]/);
  });

  it('Feishu: an interactive card coloured by severity, green once cleared', () => {
    const url = 'https://open.feishu.cn/open-apis/bot/v2/hook/abc';
    const raised = buildWebhookRequest(target({ format: 'feishu', url }), notice('raised'), ctx).body as any;
    expect(raised.msg_type).toBe('interactive');
    expect(raised.card.header).toEqual({
      template: 'red',
      title: { tag: 'plain_text', content: '【严重】设备 快递柜A (locker-1): door.open — 柜门已开 12 分钟' },
    });
    expect(raised.card.elements[0].text).toEqual({
      tag: 'lark_md',
      content: '小区：阳光花园\n状态：新告警\n时间：2026-12-01 20:05',
    });
    expect(raised.timestamp).toBeUndefined();
    const cleared = buildWebhookRequest(target({ format: 'feishu', url }), notice('cleared'), ctx).body as any;
    expect(cleared.card.header.template).toBe('green');
  });

  it('Feishu 签名校验: seconds timestamp and base64 HMAC-SHA256 keyed by "<ts>\\n<secret>" over nothing', () => {
    const secret = 'feishu-secret';
    const url = 'https://open.feishu.cn/open-apis/bot/v2/hook/abc';
    const req = buildWebhookRequest(target({ format: 'feishu', url, secret, msgType: 'text' }), notice('raised'), ctx);
    const ts = Math.floor(NOW / 1000);
    const expected = createHmac('sha256', `${ts}\n${secret}`).digest('base64');
    expect(req.url).toBe(url);
    expect(req.body).toEqual({
      timestamp: String(ts),
      sign: expected,
      msg_type: 'text',
      content: {
        text: '【严重】设备 快递柜A (locker-1): door.open — 柜门已开 12 分钟\n小区：阳光花园\n状态：新告警\n时间：2026-12-01 20:05',
      },
    });
  });

  it('JSON: the notice itself, with the community and the text people read', () => {
    const n = notice('acknowledged');
    const req = buildWebhookRequest(target({ format: 'json', url: 'http://ops.local/hook' }), n, ctx);
    expect(req.body).toEqual({
      community: '阳光花园',
      transition: 'acknowledged',
      alert: n.alert,
      deviceName: '快递柜A',
      text: expect.stringContaining('【严重·已确认】'),
    });
  });
});

describe('reading the robots’ answers', () => {
  it.each([
    ['wecom', 200, '{"errcode":0,"errmsg":"ok"}', { ok: true }],
    [
      'wecom',
      200,
      '{"errcode":45009,"errmsg":"api freq out of limit"}',
      { ok: false, error: 'errcode 45009: api freq out of limit' },
    ],
    [
      'dingtalk',
      200,
      '{"errcode":310000,"errmsg":"sign not match"}',
      { ok: false, error: 'errcode 310000: sign not match' },
    ],
    ['dingtalk', 200, 'not json', { ok: false, error: 'HTTP 200 with an answer that is not a JSON object' }],
    ['feishu', 200, '{"code":0,"msg":"success","data":{}}', { ok: true }],
    ['feishu', 200, '{"StatusCode":0,"StatusMessage":"success"}', { ok: true }],
    ['feishu', 200, '{"code":19021,"msg":"sign match fail"}', { ok: false, error: 'code 19021: sign match fail' }],
    ['json', 204, '', { ok: true }],
    ['json', 500, '', { ok: false, error: 'HTTP 500' }],
    ['wecom', 404, '{"errcode":0}', { ok: false, error: 'HTTP 404' }],
  ] as const)('%s HTTP %i %s', (format, status, body, expected) => {
    expect(readWebhookAnswer(format, status, body)).toEqual(expected);
  });
});
