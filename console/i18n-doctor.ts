import type { Lang } from './i18n.ts';

/** The texts of the diagnostics page, in both languages (same shape as TEXT). */
const TEXT_DOCTOR = {
  doctorTitle: ['网关诊断', 'Gateway diagnostics'],
  doctorIntro: [
    '与命令行 linli doctor 相同的检查，在运行中的网关内执行；有问题的项排在最前，下方给出处理方法。',
    'The checks of `linli doctor`, run inside the running gateway; problems first, each with its fix below.',
  ],
  recheck: ['重新检查', 'Check again'],
  checking: ['检查中…', 'Checking…'],
  checkedAt: ['检查时间', 'Checked at'],
  allOk: ['全部正常', 'All checks passed'],
  failures: ['项失败', 'failed'],
  warnings: ['项警告', 'warnings'],
  passed: ['项正常', 'ok'],
  fixLabel: ['处理方法', 'Fix'],
  find_ok: ['正常', 'OK'],
  find_warn: ['警告', 'Warning'],
  find_fail: ['失败', 'Failed'],
  // the checks, by the first part of a finding's id
  chk_config: ['配置文件', 'Configuration'],
  chk_permissions: ['文件权限', 'File permissions'],
  'chk_disk-space': ['磁盘空间', 'Disk space'],
  'chk_disk-wear': ['存储卡写入量', 'SD-card wear'],
  chk_clock: ['时钟同步', 'Clock'],
  chk_pcscd: ['读卡服务 (pcscd)', 'Card reader service (pcscd)'],
  chk_gpio: ['GPIO', 'GPIO'],
  chk_ports: ['端口', 'Ports'],
  chk_plaintext: ['明文 MQTT', 'Plain MQTT'],
  chk_database: ['数据库与账本', 'Database and ledger'],
  chk_cloud: ['云平台连接', 'Cloud link'],
  chk_certificates: ['证书有效期', 'Certificates'],
  chk_backup: ['备份', 'Backups'],
} as const satisfies Record<string, readonly [string, string]>;

export type DoctorKey = keyof typeof TEXT_DOCTOR;

export const td = (lang: Lang, key: DoctorKey): string => TEXT_DOCTOR[key][lang === 'zh-CN' ? 0 : 1];

/** A finding's check in the reader's language (`ports.mqtt-tls` → 端口 · mqtt-tls); an unknown one as it is. */
export function checkName(lang: Lang, id: string): string {
  const [check = id, ...rest] = id.split('.');
  const entry = (TEXT_DOCTOR as Record<string, readonly [string, string]>)[`chk_${check}`];
  const name = entry ? entry[lang === 'zh-CN' ? 0 : 1] : check;
  return rest.length > 0 ? `${name} · ${rest.join('.')}` : name;
}
