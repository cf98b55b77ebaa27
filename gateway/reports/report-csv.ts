import type { CsvColumn } from './csv.ts';
import type { BenefitRow, DailyRow, HeatCell, MerchantRow, Summary } from './report-schemas.ts';

/** Chinese first (the shops read them in Excel), English after, money in integer fen like the API. */
const money = <T extends { payableFen: number; savingFen: number }>(): CsvColumn<T>[] => [
  { header: '实付 (payable_fen)', value: (r) => r.payableFen },
  { header: '优惠 (saving_fen)', value: (r) => r.savingFen },
];

const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

export const HEATMAP_CSV: CsvColumn<HeatCell>[] = [
  { header: '星期 (day of week)', value: (r) => WEEKDAYS[r.dayOfWeek] },
  { header: '小时 (hour)', value: (r) => r.hour },
  { header: '核销笔数 (redemptions)', value: (r) => r.redemptions },
  ...money<HeatCell>(),
];

export const MERCHANTS_CSV: CsvColumn<MerchantRow>[] = [
  { header: '商户 (merchant)', value: (r) => r.merchantId },
  { header: '核销笔数 (redemptions)', value: (r) => r.redemptions },
  ...money<MerchantRow>(),
];

export const BENEFITS_CSV: CsvColumn<BenefitRow>[] = [
  { header: '活动 (campaign)', value: (r) => r.campaignId },
  { header: '使用次数 (uses)', value: (r) => r.uses },
  ...money<BenefitRow>(),
];

export const DAILY_CSV: CsvColumn<DailyRow>[] = [
  { header: '日期 (date)', value: (r) => r.date },
  { header: '核销笔数 (redemptions)', value: (r) => r.redemptions },
  ...money<DailyRow>(),
];

/** The summary as one row. */
export const SUMMARY_CSV: CsvColumn<Summary>[] = [
  { header: '核销笔数 (redemptions)', value: (r) => r.redemptions },
  ...money<Summary>(),
  { header: '客单价 (average_order_fen)', value: (r) => r.averageOrderFen },
  { header: '原价客单价 (average_list_fen)', value: (r) => r.averageListFen },
  { header: '会员数 (members)', value: (r) => r.members },
  { header: '复购会员 (repeat members)', value: (r) => r.repeatMembers },
  { header: '复购率 (repurchase rate)', value: (r) => r.repurchaseRate },
];
