import type { AlertNotice, AlertSeverity, AlertTransition } from '../alert-types.ts';

export type WebhookLanguage = 'zh-CN' | 'en';

/** What a person reads in the chat: a one-line headline (also the notification preview) and detail lines. */
export interface NoticeText {
  headline: string;
  lines: string[];
}

const SEVERITY: Record<WebhookLanguage, Record<AlertSeverity, string>> = {
  'zh-CN': { critical: '严重', warning: '警告', info: '提示' },
  en: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' },
};

const TRANSITION: Record<WebhookLanguage, Record<AlertTransition, string>> = {
  'zh-CN': { raised: '新告警', acknowledged: '已确认', cleared: '已恢复' },
  en: { raised: 'raised', acknowledged: 'acknowledged', cleared: 'cleared' },
};

const WORDS = {
  'zh-CN': {
    device: '设备',
    gateway: '网关',
    community: '小区',
    status: '状态',
    time: '时间',
    by: '处理人',
    note: '备注',
  },
  en: {
    device: 'device',
    gateway: 'gateway',
    community: 'Community',
    status: 'Status',
    time: 'Time',
    by: 'By',
    note: 'Note',
  },
} as const;

/** A device's message is shown as sent; a runaway one must not push the chat's size limit (WeCom: 4096 bytes). */
const MAX_MESSAGE_CHARS = 500;

/** China has one time zone and no daylight saving: UTC+8 all year, whatever the box's TZ is set to. */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** 2026-12-01T12:05:00Z → "2026-12-01 20:05" (Asia/Shanghai). */
export function shanghaiTime(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** When the transition happened, as the alert records it; `now` for a notice that does not say. */
export function transitionTime(notice: AlertNotice, now: number): number {
  const a = notice.alert;
  if (notice.transition === 'acknowledged') return a.acknowledged?.at ?? now;
  if (notice.transition === 'cleared') return a.cleared?.at ?? now;
  return a.raisedAt;
}

/** "【严重·已恢复】设备 快递柜A (locker-1): door.open — 柜门已开 12 分钟": the alert's own message, labelled. */
export function noticeText(notice: AlertNotice, language: WebhookLanguage, community: string, now: number): NoticeText {
  const { alert, transition } = notice;
  const w = WORDS[language];
  const zh = language === 'zh-CN';
  const state = TRANSITION[language][transition];
  const sep = zh ? '：' : ': ';
  const lines = [
    `${w.community}${sep}${community}`,
    `${w.status}${sep}${state}`,
    `${w.time}${sep}${shanghaiTime(transitionTime(notice, now))}${zh ? '' : ' (UTC+8)'}`,
  ];
  if (transition === 'acknowledged' && alert.acknowledged) {
    lines.push(`${w.by}${sep}${alert.acknowledged.by}`);
    if (alert.acknowledged.note) lines.push(`${w.note}${sep}${alert.acknowledged.note}`);
  }
  if (transition === 'cleared' && alert.cleared?.by) lines.push(`${w.by}${sep}${alert.cleared.by}`);
  const message =
    alert.message.length > MAX_MESSAGE_CHARS ? `${alert.message.slice(0, MAX_MESSAGE_CHARS)}…` : alert.message;
  return { headline: `${tag(notice, language)}${subject(notice, language)}: ${alert.code} — ${message}`, lines };
}

/** A raised alert carries only its severity, as people expect of a page; the later steps say what changed. */
function tag(notice: AlertNotice, language: WebhookLanguage): string {
  const severity = SEVERITY[language][notice.alert.severity];
  const state = TRANSITION[language][notice.transition];
  if (language === 'zh-CN') return notice.transition === 'raised' ? `【${severity}】` : `【${severity}·${state}】`;
  return notice.transition === 'raised' ? `[${severity}] ` : `[${severity} · ${state.toUpperCase()}] `;
}

function subject(notice: AlertNotice, language: WebhookLanguage): string {
  const w = WORDS[language];
  const { deviceId } = notice.alert;
  if (deviceId === null) return w.gateway;
  const name = notice.deviceName;
  return name && name !== deviceId ? `${w.device} ${name} (${deviceId})` : `${w.device} ${deviceId}`;
}
