import * as z from 'zod';
import { AlertSeveritySchema, AlertTransitionSchema } from '../alert-types.ts';

/** The chat robots' webhooks carry their credential in the URL, so only http(s) endpoints make sense. */
const WebhookUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URL, e.g. https://oapi.dingtalk.com/robot/send?…' });
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    ctx.addIssue({ code: 'custom', message: `must use https:// or http://, not ${url.protocol}//` });
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'must not carry a user name or password' });
  }
});

/** What every target has, whatever chat it posts to. */
const common = {
  /** Appears in logs and stats instead of the URL, whose query holds the robot's token. */
  name: z.string().trim().min(1).max(64),
  url: WebhookUrl,
  severities: z.array(AlertSeveritySchema).min(1).default(['critical', 'warning']),
  /** Acknowledgements are left out by default: the person who acknowledged is usually in the group already. */
  transitions: z.array(AlertTransitionSchema).min(1).default(['raised', 'cleared']),
  language: z.enum(['zh-CN', 'en']).default('zh-CN'),
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
};

/** 加签 / 签名校验 key of the robot's security settings; never logged. */
const RobotSecret = z.string().min(1).optional();

const WecomTargetSchema = z.object({ format: z.literal('wecom'), ...common }).strict();
const DingtalkTargetSchema = z.object({ format: z.literal('dingtalk'), ...common, secret: RobotSecret }).strict();
const FeishuTargetSchema = z
  .object({
    format: z.literal('feishu'),
    ...common,
    secret: RobotSecret,
    /** A card shows the severity as the header's colour; plain text suits bots whose keyword filter needs it. */
    msgType: z.enum(['interactive', 'text']).default('interactive'),
  })
  .strict();
const JsonTargetSchema = z.object({ format: z.literal('json'), ...common }).strict();

export const AlertWebhookTargetSchema = z.discriminatedUnion(
  'format',
  [WecomTargetSchema, DingtalkTargetSchema, FeishuTargetSchema, JsonTargetSchema],
  { error: 'format must be one of wecom, dingtalk, feishu, json' },
);
export type AlertWebhookTarget = z.infer<typeof AlertWebhookTargetSchema>;
export type AlertWebhookFormat = AlertWebhookTarget['format'];

/** Where alerts leave the box for the property team's group chats, and how hard the box tries. */
export const AlertWebhooksConfigSchema = z
  .object({
    targets: z
      .array(AlertWebhookTargetSchema)
      .default([])
      .superRefine((targets, ctx) => {
        const seen = new Set<string>();
        targets.forEach((t, i) => {
          if (seen.has(t.name))
            ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate name "${t.name}"` });
          seen.add(t.name);
        });
      }),
    /** An alert's transition reaches a target at most once in this window: a flapping door must not flood a chat. */
    dedupeWindowS: z.number().int().min(0).max(86_400).default(600),
    /** Attempts per message before it is given up (logged as an error). */
    maxAttempts: z.number().int().min(1).max(50).default(8),
    retryBaseMs: z.number().int().min(100).max(60_000).default(2000),
    retryMaxMs: z.number().int().min(1000).max(3_600_000).default(300_000),
    /** Messages waiting per target; beyond it the oldest are dropped (a dead chat must not eat the box's memory). */
    queueLimit: z.number().int().min(1).max(10_000).default(200),
  })
  .strict();
export type AlertWebhooksConfig = z.infer<typeof AlertWebhooksConfigSchema>;

/**
 * The config as it may be shown (`linli config`): a robot's URL carries its token (query, or Feishu's path)
 * and `secret` signs for it, so only the scheme and host are left.
 */
export function redactAlertWebhooks(c: AlertWebhooksConfig): AlertWebhooksConfig {
  return {
    ...c,
    targets: c.targets.map((t) => ({
      ...t,
      url: `${new URL(t.url).origin}/[redacted]`,
      ...('secret' in t && t.secret !== undefined ? { secret: '[redacted]' } : {}),
    })),
  };
}
