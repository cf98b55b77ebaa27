import { createHmac } from 'node:crypto';
import type { AlertNotice } from '../alert-types.ts';
import type { AlertWebhookFormat, AlertWebhookTarget } from './webhook-config.ts';
import { type NoticeText, noticeText } from './webhook-text.ts';

/** One POST to a chat robot, ready for fetch. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Whether the robot took the message; `error` is short and never holds the URL. */
export type WebhookAnswer = { ok: true } | { ok: false; error: string };

const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'linli-gateway' };

/** DingTalk 加签: HMAC-SHA256 keyed by the secret over "<ms>\n<secret>", base64, sent in the query. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** Feishu 签名校验: HMAC-SHA256 keyed by "<s>\n<secret>" over nothing, base64 (unlike DingTalk's). */
export function feishuSign(secret: string, timestampS: number): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

/** The request that tells one target about one notice; `now` (wall ms) signs it, so it is built per attempt. */
export function buildWebhookRequest(
  target: AlertWebhookTarget,
  notice: AlertNotice,
  ctx: { communityName: string; now: number },
): WebhookRequest {
  const text = noticeText(notice, target.language, ctx.communityName, ctx.now);
  switch (target.format) {
    case 'wecom':
      return {
        url: target.url,
        headers: HEADERS,
        body: { msgtype: 'markdown', markdown: { content: markdown(text) } },
      };
    case 'dingtalk': {
      const body = { msgtype: 'markdown', markdown: { title: text.headline, text: markdown(text, '\n\n') } };
      if (!target.secret) return { url: target.url, headers: HEADERS, body };
      // the signature is only valid for an hour [DingTalk 加签], so it is made at each attempt
      const sign = encodeURIComponent(dingtalkSign(target.secret, ctx.now));
      const url = `${target.url}${target.url.includes('?') ? '&' : '?'}timestamp=${ctx.now}&sign=${sign}`;
      return { url, headers: HEADERS, body };
    }
    case 'feishu': {
      const message =
        target.msgType === 'text'
          ? { msg_type: 'text', content: { text: [text.headline, ...text.lines].join('\n') } }
          : { msg_type: 'interactive', card: feishuCard(notice, text) };
      if (!target.secret) return { url: target.url, headers: HEADERS, body: message };
      const ts = Math.floor(ctx.now / 1000);
      return {
        url: target.url,
        headers: HEADERS,
        body: { timestamp: String(ts), sign: feishuSign(target.secret, ts), ...message },
      };
    }
    case 'json':
      return {
        url: target.url,
        headers: HEADERS,
        body: { community: ctx.communityName, ...notice, text: [text.headline, ...text.lines].join('\n') },
      };
  }
}

function markdown(text: NoticeText, lineBreak = '\n'): string {
  return [`**${text.headline}**`, ...text.lines.map((l) => `> ${l}`)].join(lineBreak);
}

function feishuCard(notice: AlertNotice, text: NoticeText): unknown {
  const colour =
    notice.transition === 'cleared'
      ? 'green'
      : { critical: 'red', warning: 'orange', info: 'blue' }[notice.alert.severity];
  return {
    config: { wide_screen_mode: true },
    header: { template: colour, title: { tag: 'plain_text', content: text.headline } },
    elements: [{ tag: 'div', text: { tag: 'lark_md', content: text.lines.join('\n') } }],
  };
}

/**
 * The robots answer HTTP 200 also when they refused the message (bad signature, keyword missing, rate
 * limit): WeCom and DingTalk say so with `errcode`, Feishu with `code` (older bots: `StatusCode`).
 */
export function readWebhookAnswer(format: AlertWebhookFormat, status: number, bodyText: string): WebhookAnswer {
  if (status < 200 || status > 299) return { ok: false, error: `HTTP ${status}` };
  if (format === 'json') return { ok: true };
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (!parsed || typeof parsed !== 'object') throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    return { ok: false, error: `HTTP ${status} with an answer that is not a JSON object` };
  }
  const code = format === 'feishu' ? (body.code ?? body.StatusCode) : body.errcode;
  if (code === 0) return { ok: true };
  const msg = format === 'feishu' ? (body.msg ?? body.StatusMessage) : body.errmsg;
  const detail = typeof msg === 'string' ? `: ${msg.slice(0, 160)}` : '';
  return { ok: false, error: `${format === 'feishu' ? 'code' : 'errcode'} ${String(code)}${detail}` };
}
