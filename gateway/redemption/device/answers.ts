import { ERROR_CATALOGUE, LinliError, type ErrorCode } from '../../../firmware-protocol/src/errors.ts';
import type { ResponseBody } from '../../../firmware-protocol/src/messages/redemption.ts';
import { formatYuan } from '../domain/money.ts';
import { account, type LedgerPort } from '../service/ports.ts';
import type { RedemptionResult } from '../service/result.ts';
import type { CatalogRepo } from '../store/catalog-repo.ts';

type MemberBlock = NonNullable<Extract<ResponseBody, { status: 'ok' }>['member']>;

/** What a device may show of a resident: tier, wallet, points and the benefits usable now (never card data). */
export function memberSummary(catalog: CatalogRepo, ledger: LedgerPort, memberId: string, at: number): MemberBlock {
  const member = catalog.member(memberId);
  if (!member) throw new LinliError('MEMBER_NOT_FOUND');
  const campaigns = catalog.campaigns();
  const benefits = catalog
    .instancesOf(member.id)
    .filter((i) => i.status === 'active' && (i.expiresAt === undefined || i.expiresAt > at))
    .flatMap((i) => {
      const c = campaigns.get(i.campaignId);
      return c ? [{ name: c.name, ...(i.usesLeft !== undefined ? { usesLeft: i.usesLeft } : {}) }] : [];
    });
  return { tier: member.tier, walletFen: ledger.balance(account.wallet(member.id), 'fen'), points: ledger.balance(account.points(member.id), 'points'), benefits };
}

const ASKS_FOR_MONEY = new Set(['redeem', 'authorize', 'vend_request']);

/** The device's answer to a redemption decision, with what to show the resident. */
export function decided(op: string, r: RedemptionResult): ResponseBody {
  // a purchase answered after its hold was voided or reversed is not an approval: the device must not dispense
  const approved = r.status === 'approved' && (r.state === 'held' || r.state === 'captured' || !ASKS_FOR_MONEY.has(op));
  if (r.status === 'approved' && !approved) {
    return {
      status: 'ok',
      op,
      decision: 'declined',
      declineCode: r.state === 'voided' ? 'VOIDED' : 'REVERSED',
      redemptionId: r.redemptionId,
      state: r.state,
      display: { zh: '交易已取消，未扣款', en: 'Cancelled; you were not charged' },
    };
  }
  return {
    status: 'ok',
    op,
    decision: r.status,
    ...(r.declineCode ? { declineCode: r.declineCode } : {}),
    redemptionId: r.redemptionId,
    state: r.state,
    subtotalFen: r.subtotalFen,
    savingFen: r.savingFen,
    payableFen: r.payableFen,
    pointsEarned: r.pointsEarned,
    // 'none' with an amount to pay: collect it at the till (a coupon code never charges the wallet)
    ...(approved ? { paidBy: r.paidBy } : {}),
    applied: r.applied.map((a) => ({ name: a.name, savingFen: a.savingFen })),
    display: approved
      ? { zh: `应付 ¥${formatYuan(r.payableFen)}，已优惠 ¥${formatYuan(r.savingFen)}`, en: `To pay ¥${formatYuan(r.payableFen)}, you saved ¥${formatYuan(r.savingFen)}` }
      : r.declineCode === 'INSUFFICIENT_FUNDS'
        ? { zh: '余额不足', en: 'Not enough balance' }
        : r.declineCode === 'COUPON_NOT_APPLICABLE'
          ? couponRefusal(r)
          : r.declineCode === 'LOW_TRUST_LIMIT'
          ? { zh: '超出此卡限额，请使用安全卡或二维码', en: "Over this card's limit; use a secure card or the QR code" }
          : { zh: '无法支付，请联系工作人员', en: 'Cannot pay here; please ask staff' },
  };
}

function couponRefusal(r: RedemptionResult): { zh: string; en: string } {
  const why = r.notApplied[0]?.message;
  return why ? { zh: `此券不能用：${why.zh}`, en: `This coupon cannot be used: ${why.en}` } : { zh: '此券不能用于本单', en: 'This coupon does not apply to this bill' };
}

/** What to show for an error code, in both languages. */
export function displayFor(code: ErrorCode): { zh: string; en: string } {
  const zh: Partial<Record<ErrorCode, string>> = {
    MEMBER_NOT_FOUND: '卡片未登记',
    CARD_BLOCKED: '此卡已挂失',
    CARD_REPLAYED: '请重新刷卡或刷新二维码',
    CREDENTIAL_INVALID: '无法识别，请重试',
    REDEMPTION_STATE: '该笔交易无法操作',
  };
  return { zh: zh[code] ?? '系统繁忙，请稍后再试', en: ERROR_CATALOGUE[code].message };
}
