import { LinliError, type ErrorCode } from '../../../firmware-protocol/src/errors.ts';
import { ERROR_DISPLAY, type WireErrorCode } from '../../../firmware-protocol/src/error-display.ts';
import { DECLINES } from '../../../firmware-protocol/src/catalogue/declines.ts';
import { textOf } from '../../../firmware-protocol/src/catalogue/text.ts';
import { NOT_FOR_THIS_MEMBER, type ReasonCode } from '../domain/reasons.ts';
import type { ResponseBody } from '../../../firmware-protocol/src/messages/response.ts';
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
  return {
    tier: member.tier,
    walletFen: ledger.balance(account.wallet(member.id), 'fen'),
    points: ledger.balance(account.points(member.id), 'points'),
    benefits,
  };
}

const ASKS_FOR_MONEY = new Set(['redeem', 'authorize', 'vend_request']);
/** Reasons a device gets at most: its screen is small; the staff API has the whole list. */
const MAX_REASONS_ON_DEVICE = 5;

/**
 * The benefits not applied that a resident can act on, the ones they hold (coupons, cards) first;
 * benefits that were never theirs (another tier, not their birthday month) are left to the staff API.
 */
function reasonsFor(r: RedemptionResult): NonNullable<Extract<ResponseBody, { status: 'ok' }>['notApplied']> {
  const mine = r.notApplied.filter((n) => !NOT_FOR_THIS_MEMBER.has(n.code as ReasonCode));
  const held = mine.filter((n) => n.instanceId !== undefined);
  const others = mine.filter((n) => n.instanceId === undefined);
  return [...held, ...others]
    .slice(0, MAX_REASONS_ON_DEVICE)
    .map((n) => ({ ...(n.name ? { name: n.name } : {}), code: n.code, reason: n.message }));
}

/** What the resident reads after the decision, by operation (a refund does not read like a purchase). */
function approvedDisplay(op: string, r: RedemptionResult): { zh: string; en: string } {
  const pay = formatYuan(r.payableFen);
  const saved =
    r.savingFen > 0
      ? { zh: `，已优惠 ¥${formatYuan(r.savingFen)}`, en: `, you saved ¥${formatYuan(r.savingFen)}` }
      : { zh: '', en: '' };
  switch (op) {
    case 'reverse':
      return r.paidBy === 'none'
        ? { zh: `已撤销，请在柜台退还 ¥${pay}`, en: `Reversed; refund ¥${pay} at the till` }
        : { zh: `已退款 ¥${pay}，退回会员卡`, en: `Refunded ¥${pay} to the card` };
    case 'void':
      return { zh: '已取消，未扣款', en: 'Cancelled; you were not charged' };
    case 'vend_result':
    case 'capture':
      return r.state === 'voided'
        ? { zh: '出货失败，已退款', en: 'Not dispensed; you were refunded' }
        : { zh: `已扣款 ¥${pay}${saved.zh}`, en: `Charged ¥${pay}${saved.en}` };
    default:
      if (r.paidBy === 'none' && r.payableFen > 0)
        return { zh: `请在柜台付 ¥${pay}${saved.zh}`, en: `Pay ¥${pay} at the till${saved.en}` };
      return { zh: `应付 ¥${pay}${saved.zh}`, en: `To pay ¥${pay}${saved.en}` };
  }
}

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
      display: textOf(r.state === 'voided' ? DECLINES.VOIDED : DECLINES.REVERSED),
    };
  }
  const reasons = reasonsFor(r);
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
    ...(reasons.length > 0 ? { notApplied: reasons } : {}),
    display: approved ? approvedDisplay(op, r) : declinedDisplay(r),
  };
}

/** A decline without a code (none is expected): the resident is sent to staff. */
const CANNOT_PAY = { zh: '无法支付，请联系工作人员', en: 'Cannot pay here; please ask staff' };

/** What the resident reads on a decline: its code's text in the catalogue [FWP-11.3], a coupon's with why. */
function declinedDisplay(r: RedemptionResult): { zh: string; en: string } {
  if (r.declineCode === 'COUPON_NOT_APPLICABLE') return couponRefusal(r);
  return r.declineCode ? textOf(DECLINES[r.declineCode]) : CANNOT_PAY;
}

function couponRefusal(r: RedemptionResult): { zh: string; en: string } {
  const why = r.notApplied[0]?.message;
  return why
    ? { zh: `此券不能用：${why.zh}`, en: `This coupon cannot be used: ${why.en}` }
    : textOf(DECLINES.COUPON_NOT_APPLICABLE);
}

/** What to show for an error code, in both languages [FWP-6.2]. */
export function displayFor(code: ErrorCode): { zh: string; en: string } {
  return code in ERROR_DISPLAY ? ERROR_DISPLAY[code as WireErrorCode] : ERROR_DISPLAY.INTERNAL_ERROR;
}
