import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { decided } from '../../gateway/redemption/device/answers.ts';
import { formatYuan } from '../../gateway/redemption/domain/money.ts';
import type { RedemptionResult } from '../../gateway/redemption/service/result.ts';
import type { DeviceRequest, FlowHandler, KindPartPorts, RequestingDevice } from '../kind-part.ts';
import { CHARGE_PRODUCTS, heldUnitsFor, usedUnits } from './rules.ts';
import type { ChargingSession, ChargingSessions } from './sessions.ts';
import {
  type ChargeBegin,
  type ChargeEnd,
  type ChargingPileCapabilities,
  ChargingPileCapabilitiesSchema,
} from './wire.ts';

/** A pile offline when the charge ends still settles within the hold: it lasts the charge and this much more. */
const HOLD_GRACE_MS = 2 * 3600_000;

/**
 * [FWP-11.9] A charge at a socket: the price of the longest charge chosen is held at the tap; when the
 * plug comes out, the pile's meter says what was used, the gateway takes that (benefits chosen on what
 * was really used) and releases the rest, in one unit of work. Resends get their first answer.
 */
export class ChargingFlow implements FlowHandler {
  readonly ops = ['charge_begin', 'charge_end'];

  constructor(
    private readonly p: KindPartPorts,
    private readonly sessions: ChargingSessions,
  ) {}

  answer(device: RequestingDevice, msg: DeviceRequest): Promise<ResponseBody> {
    const body = msg.body as ChargeBegin | ChargeEnd;
    return body.op === 'charge_begin' ? this.begin(device, msg.txn, body) : this.end(device, msg.txn, body);
  }

  private capabilities(deviceId: string): ChargingPileCapabilities {
    const parsed = ChargingPileCapabilitiesSchema.safeParse(this.p.capabilitiesOf(deviceId) ?? {});
    if (!parsed.success)
      throw new LinliError('NOT_BORN', `${deviceId} has not said which sockets and tariff it has (its birth)`);
    return parsed.data;
  }

  private async begin(device: RequestingDevice, txn: string, b: ChargeBegin): Promise<ResponseBody> {
    const known = this.sessions.get(device.id, txn);
    if (known?.beginAnswer) return known.beginAnswer;
    // a charge decided before a crash, its answer not yet written: decided again from what it stored
    if (known) return this.decideBegin(device, known, undefined);
    const caps = this.capabilities(device.id);
    const socket = caps.sockets.find((s) => s.id === b.socket);
    if (!socket) throw new LinliError('OPERATION_NOT_ALLOWED', `${device.id} has no socket ${b.socket}`);
    if (this.sessions.onSocket(device.id, b.socket)) throw socketBusy(b.socket);
    const hours = Math.min(b.hours ?? caps.maxHours, caps.maxHours);
    const who = this.p.resolver.present(b.credential, { allowCoupon: false });
    const session = {
      deviceId: device.id,
      txn,
      socket: b.socket,
      memberId: who.memberId,
      trust: who.trust,
      merchantId: device.merchantId ?? device.id,
      productId: CHARGE_PRODUCTS[caps.tariff.per],
      unitPriceFen: caps.tariff.priceFen,
      per: caps.tariff.per,
      heldUnits: heldUnitsFor(caps.tariff, hours, socket.maxPowerW),
      startedAt: this.p.clock.now(),
    };
    const admit = () => {
      // in the decision's unit: two taps at one socket are decided one after the other
      if (this.sessions.onSocket(device.id, b.socket)) throw socketBusy(b.socket);
      this.p.resolver.admit(who, { deviceId: device.id, txn });
      this.sessions.open(session);
    };
    return this.decideBegin(device, { ...session, hours }, admit);
  }

  private async decideBegin(
    device: RequestingDevice,
    s: Pick<
      ChargingSession,
      'txn' | 'socket' | 'memberId' | 'trust' | 'merchantId' | 'productId' | 'unitPriceFen' | 'per' | 'heldUnits'
    > & { hours?: number },
    admit: (() => void) | undefined,
  ): Promise<ResponseBody> {
    const hours = s.hours ?? (s.per === 'hour' ? s.heldUnits : undefined);
    const result = await this.p.service.authorize({
      txnId: s.txn,
      memberId: s.memberId,
      trust: s.trust,
      purchase: {
        merchantId: s.merchantId,
        deviceId: device.id,
        deviceKind: device.kind,
        items: [{ productId: s.productId, unitPriceFen: s.unitPriceFen, qty: s.heldUnits }],
        at: this.p.clock.now(),
      },
      admit,
      holdMs: (hours ?? s.heldUnits) * 3600_000 + HOLD_GRACE_MS,
    });
    const running = result.status === 'approved' && result.state === 'held';
    const answer = beginAnswer(result, s, running);
    await this.p.writer.submit(() => this.sessions.begun(device.id, s.txn, running, answer));
    return answer;
  }

  private async end(device: RequestingDevice, txn: string, b: ChargeEnd): Promise<ResponseBody> {
    const s = this.sessions.get(device.id, b.session);
    if (!s || s.state === 'pending' || s.state === 'declined')
      throw new LinliError('REDEMPTION_NOT_FOUND', `no charge ${b.session} at ${device.id}`);
    if (s.socket !== b.socket)
      throw new LinliError('OPERATION_NOT_ALLOWED', `charge ${b.session} is on socket ${s.socket}, not ${b.socket}`);
    if (s.state === 'settled') {
      if (s.endTxn === txn && s.endAnswer) return s.endAnswer;
      throw new LinliError('REDEMPTION_STATE', `charge ${b.session} was settled already`, {
        refusal: 'ALREADY_SETTLED',
      });
    }
    const units = usedUnits(s.per, b, s.heldUnits);
    if (units < Math.ceil(s.per === 'hour' ? b.minutes / 60 : b.energyWh / 1000))
      this.p.log.warn(
        { deviceId: device.id, session: s.txn, minutes: b.minutes, energyWh: b.energyWh, heldUnits: s.heldUnits },
        'the pile metered more than the charge held; only what was held is billed',
      );
    const result = await this.p.service.settle(s.txn, device.id, {
      txnId: txn,
      memberId: s.memberId,
      trust: s.trust,
      purchase: {
        merchantId: s.merchantId,
        deviceId: device.id,
        deviceKind: device.kind,
        items: units > 0 ? [{ productId: s.productId, unitPriceFen: s.unitPriceFen, qty: units }] : [],
        at: this.p.clock.now(),
      },
    });
    if (result.status !== 'approved')
      this.p.log.warn(
        { deviceId: device.id, session: s.txn, declineCode: result.declineCode },
        'a finished charge could not be paid (the hold had expired and the wallet is short): left to reconciliation',
      );
    const answer = endAnswer(result, s, b, units);
    await this.p.writer.submit(() =>
      this.sessions.settled(device.id, s.txn, {
        txn,
        answer,
        minutes: b.minutes,
        energyWh: b.energyWh,
        reason: b.reason,
        at: this.p.clock.now(),
      }),
    );
    return answer;
  }
}

const socketBusy = (socket: string) =>
  new LinliError('REDEMPTION_STATE', `socket ${socket} is charging already`, { refusal: 'SOCKET_BUSY' });

const unitName = (per: 'hour' | 'kwh', n: number) =>
  per === 'hour' ? { zh: `${n} 小时`, en: `${n} h` } : { zh: `${n} 度`, en: `${n} kWh` };

function beginAnswer(r: RedemptionResult, s: { per: 'hour' | 'kwh'; heldUnits: number }, running: boolean) {
  const base = decided('authorize', r);
  if (base.status !== 'ok' || !running) return { ...base, op: 'charge_begin' };
  const up = unitName(s.per, s.heldUnits);
  return {
    ...base,
    op: 'charge_begin',
    display: {
      zh: `开始充电，最长 ${up.zh}，预授权 ¥${formatYuan(r.payableFen)}，拔枪后按实际结算`,
      en: `Charging up to ${up.en}; ¥${formatYuan(r.payableFen)} held, settled by use when you unplug`,
    },
  };
}

function endAnswer(r: RedemptionResult, s: ChargingSession, b: ChargeEnd, units: number): ResponseBody {
  const used = unitName(s.per, units);
  if (units === 0 || r.state === 'voided') {
    return {
      status: 'ok',
      op: 'charge_end',
      decision: 'none',
      redemptionId: r.redemptionId,
      state: 'voided',
      payableFen: 0,
      display: { zh: '未充电，预授权已全部退回', en: 'Nothing charged; the hold was released' },
    };
  }
  const base = decided('capture', r);
  if (base.status !== 'ok' || base.decision !== 'approved') return { ...base, op: 'charge_end' };
  const saved =
    r.savingFen > 0
      ? { zh: `，已优惠 ¥${formatYuan(r.savingFen)}`, en: `, you saved ¥${formatYuan(r.savingFen)}` }
      : { zh: '', en: '' };
  return {
    ...base,
    op: 'charge_end',
    display: {
      zh: `充电 ${b.minutes} 分钟，计 ${used.zh}，实付 ¥${formatYuan(r.payableFen)}${saved.zh}；其余已退回`,
      en: `Charged ${b.minutes} min, billed ${used.en}: ¥${formatYuan(r.payableFen)}${saved.en}; the rest released`,
    },
  };
}
