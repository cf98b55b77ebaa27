import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { WireCredential } from '../../firmware-protocol/src/messages/credential.ts';
import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import {
  DEFAULT_VEND_TIMEOUTS,
  vendStep,
  type VendEffect,
  type VendEvent,
  type VendState,
  type VendTimeouts,
} from './session.ts';
import type { VendingRequest } from './wire.ts';
import type { Clock } from '../../gateway/core/clock.ts';
import type { Logger } from '../../gateway/core/log.ts';
import { decided, memberSummary } from '../../gateway/redemption/device/answers.ts';
import type { CatalogRepo } from '../../gateway/redemption/store/catalog-repo.ts';
import type { CredentialResolver } from '../../gateway/redemption/device/credential-resolver.ts';
import { formatYuan } from '../../gateway/redemption/domain/money.ts';
import type { LedgerPort } from '../../gateway/redemption/service/ports.ts';
import type { RedemptionService } from '../../gateway/redemption/service/redemption-service.ts';
import type { RedemptionResult } from '../../gateway/redemption/service/result.ts';
import type { RedemptionRepo } from '../../gateway/redemption/store/redemption-repo.ts';
import type { DeviceRequest, FlowHandler, RequestingDevice } from '../kind-part.ts';

interface Session {
  state: VendState;
  memberId: string;
  trust: 'low' | 'high';
  /** The answer to vend_begin, replayed to a retry (a secure card's tap cannot be verified twice). */
  begun?: ResponseBody;
  /** An authorize is running: its approval deadline waits for it (the void would queue behind the hold). */
  authorizing?: string;
}

export interface VendingFlowDeps {
  service: RedemptionService;
  resolver: CredentialResolver;
  ledger: LedgerPort;
  catalog: CatalogRepo;
  redemptions: RedemptionRepo;
  clock: Clock;
  log: Logger;
  /** What a plain UID card may pay per purchase now (the cloud may change it at run time). */
  lowTrustPerTxnFen: () => number;
  timeouts?: VendTimeouts;
  /** A machine dispensed an item after its hold was voided: staff must know (the resident was not charged). */
  onAnomaly?(deviceId: string, code: string, detail: Record<string, unknown>): void;
}

/**
 * [FWP-11.4] The vending session of every machine: the pure MDB session machine decides, this carries
 * out its effects (hold, capture, void) through the redemption service. Every retry is idempotent: the
 * same `txn` gets the same answer, and a vend result that arrives after a timeout or a reconnect is
 * settled against the stored redemption, so a failed vend is refunded exactly once.
 */
export class VendingFlow implements FlowHandler {
  readonly ops = ['vend_begin', 'vend_request', 'vend_result', 'vend_end'];
  readonly replayed = ['vend_begin', 'vend_end'];
  private readonly sessions = new Map<string, Session>();
  private readonly timeouts: VendTimeouts;

  constructor(private readonly d: VendingFlowDeps) {
    this.timeouts = d.timeouts ?? DEFAULT_VEND_TIMEOUTS;
  }

  /** The session of a machine, for the API and tests. */
  session(deviceId: string): VendState {
    return this.sessions.get(deviceId)?.state ?? { name: 'idle' };
  }

  async answer(device: RequestingDevice, msg: DeviceRequest): Promise<ResponseBody> {
    const b = msg.body as VendingRequest;
    switch (b.op) {
      case 'vend_begin':
        return this.begin(device, msg.txn, b.credential);
      case 'vend_request':
        return this.request(device, msg.txn, b);
      case 'vend_result':
        return this.result(device, msg.txn, b.success, b.reason);
      case 'vend_end':
        return this.end(device, msg.txn, b.reason);
      default:
        throw new LinliError('OPERATION_NOT_ALLOWED', `${(b as { op: string }).op} is not a vending operation`);
    }
  }

  /** Runs out every session whose deadline passed; voids what they held. */
  async tick(): Promise<void> {
    const now = this.d.clock.monotonic();
    for (const [deviceId, s] of this.sessions) {
      if (s.state.name === 'idle' || now < s.state.deadline) continue;
      if (s.state.name === 'requested' && s.authorizing === s.state.vendTxn) continue;
      const was = s.state.name;
      try {
        await this.step(deviceId, s, { type: 'timeout' });
        this.d.log.info({ deviceId, state: was }, 'vend session timed out');
      } catch (err) {
        // the service's own hold expiry refunds what this could not void
        this.d.log.error({ err, deviceId }, 'vend session timeout failed');
      }
    }
  }

  private async begin(device: RequestingDevice, txn: string, credential: WireCredential): Promise<ResponseBody> {
    const current = this.sessions.get(device.id);
    if (current && current.state.name !== 'idle' && current.state.memberTxn === txn && current.begun)
      return current.begun;
    if (current?.state.name === 'session' || current?.state.name === 'completing') {
      // MDB: a new tap while a session waits for a selection
      // replaces it (the machine lost it, or another resident came)
      await this.step(device.id, current, { type: 'complete' });
    } else if (current && current.state.name !== 'idle') {
      throw new LinliError('REDEMPTION_STATE', 'a vend is in progress on this machine; report its result first', {
        refusal: 'VEND_IN_PROGRESS',
      });
    }
    const who = await this.d.resolver.identify(credential, { txn: { deviceId: device.id, txn } });
    const member = memberSummary(this.d.catalog, this.d.ledger, who.memberId, this.d.clock.now());
    const fundsFen = who.trust === 'low' ? Math.min(member.walletFen, this.d.lowTrustPerTxnFen()) : member.walletFen;
    const s: Session = { state: { name: 'idle' }, memberId: who.memberId, trust: who.trust };
    this.sessions.set(device.id, s);
    await this.step(device.id, s, { type: 'begin', memberTxn: txn, fundsFen });
    s.begun = {
      status: 'ok',
      op: 'vend_begin',
      decision: 'approved',
      fundsFen,
      // MDB funds are one number; the benefits (a free item, a discount) may make a dearer item affordable
      member,
      display: {
        zh: `余额 ¥${formatYuan(fundsFen)}，请选择商品`,
        en: `Balance ¥${formatYuan(fundsFen)}; choose an item`,
      },
    };
    return s.begun;
  }

  private async request(
    device: RequestingDevice,
    txn: string,
    b: Extract<VendingRequest, { op: 'vend_request' }>,
  ): Promise<ResponseBody> {
    let s = this.sessions.get(device.id);
    const retry = s !== undefined && 'vendTxn' in s.state && s.state.vendTxn === txn;
    if (!retry) {
      if (b.credential) {
        // a resend after this vend was decided (the session is gone): its answer, never a new session from the old tap
        const settled = this.d.redemptions.byTxn(device.id, txn);
        if (settled) return decided('vend_request', settled.result);
        // selection first: the item was chosen, then the card tapped; the vend's txn names the session too
        if (s && s.state.name !== 'idle') {
          if (s.state.name !== 'session' && s.state.name !== 'completing')
            throw new LinliError('REDEMPTION_STATE', 'a vend is in progress on this machine', {
              refusal: 'VEND_IN_PROGRESS',
            });
          await this.step(device.id, s, { type: 'complete' });
        }
        const who = await this.d.resolver.identify(b.credential, { txn: { deviceId: device.id, txn } });
        s = { state: { name: 'idle' }, memberId: who.memberId, trust: who.trust };
        this.sessions.set(device.id, s);
        await this.step(device.id, s, { type: 'begin', memberTxn: txn, fundsFen: 0 });
      } else if (s?.state.name !== 'session' || s.state.memberTxn !== b.session) {
        const settled = this.d.redemptions.byTxn(device.id, txn);
        if (settled) return decided('vend_request', settled.result); // a retry after the session ended
        throw new LinliError(
          'REDEMPTION_STATE',
          `no open session ${b.session ?? ''} on this machine; tap the card again`,
          { refusal: 'NO_SESSION' },
        );
      }
      s.authorizing = txn; // before the state says "requested", so the tick never times out an authorize in flight
      await this.step(device.id, s, {
        type: 'vend_request',
        vendTxn: txn,
        item: b.item.productId,
        priceFen: b.item.priceFen,
      });
    }
    if (!s) throw new LinliError('INTERNAL_ERROR');
    s.authorizing = txn;
    const result = await this.d.service
      .authorize({
        txnId: txn,
        memberId: s.memberId,
        trust: s.trust,
        purchase: {
          merchantId: device.merchantId ?? device.id,
          deviceId: device.id,
          deviceKind: device.kind,
          items: [{ productId: b.item.productId, unitPriceFen: b.item.priceFen, qty: 1 }],
          at: this.d.clock.now(),
        },
      })
      .finally(() => {
        if (s.authorizing === txn) s.authorizing = undefined;
      });
    const current = this.sessions.get(device.id) === s ? s.state : undefined;
    const stillAsked = current !== undefined && 'vendTxn' in current && current.vendTxn === txn;
    if (!stillAsked && result.status === 'approved' && result.state === 'held') {
      // the resident cancelled (or the session ran out) while the hold was being written: take it back, never dispense
      this.d.log.info({ deviceId: device.id, txn }, 'vend approved after its session ended: hold voided');
      return decided('vend_request', await this.d.service.void(txn, device.id));
    }
    if (current?.name === 'requested' && current.vendTxn === txn) {
      await this.step(
        device.id,
        s,
        result.status === 'approved'
          ? { type: 'approved', vendTxn: txn, chargedFen: result.payableFen }
          : { type: 'denied', vendTxn: txn },
      );
    }
    return decided('vend_request', result);
  }

  private async result(
    device: RequestingDevice,
    txn: string,
    success: boolean,
    reason: string | undefined,
  ): Promise<ResponseBody> {
    const s = this.sessions.get(device.id);
    if (s && s.state.name === 'approved' && s.state.vendTxn === txn) {
      try {
        const settled = await this.step(device.id, s, {
          type: success ? 'vend_success' : 'vend_failure',
          vendTxn: txn,
        });
        if (settled) return decided('vend_result', settled);
      } catch (err) {
        if (success && err instanceof LinliError && err.code === 'REDEMPTION_STATE')
          this.dispensedUnpaid(device.id, txn, reason);
        throw err;
      }
    }
    // Late (after a timeout, a reconnect or a gateway restart) or a retry: settle against the stored redemption.
    const row = this.d.redemptions.byTxn(device.id, txn);
    if (!row) throw new LinliError('REDEMPTION_NOT_FOUND', `no vend ${txn} on this machine`);
    if (!success) return decided('vend_result', await this.d.service.void(txn, device.id));
    try {
      return decided('vend_result', await this.d.service.capture(txn, device.id));
    } catch (err) {
      if (err instanceof LinliError && err.code === 'REDEMPTION_STATE') this.dispensedUnpaid(device.id, txn, reason);
      throw err;
    }
  }

  private dispensedUnpaid(deviceId: string, txn: string, reason: string | undefined): void {
    this.d.log.warn(
      { deviceId, txn, reason },
      'item dispensed after its hold was voided: the resident was not charged',
    );
    this.d.onAnomaly?.(deviceId, 'VEND_AFTER_VOID', { txn });
  }

  private async end(device: RequestingDevice, txn: string, reason: 'complete' | 'cancel'): Promise<ResponseBody> {
    const s = this.sessions.get(device.id);
    const ok: ResponseBody = {
      status: 'ok',
      op: 'vend_end',
      decision: 'none',
      display: { zh: '谢谢惠顾', en: 'Thank you' },
    };
    // ending a session that is already over (a retry, or after a timeout) is not an error
    if (!s || s.state.name === 'idle' || s.state.memberTxn !== txn) return ok;
    if (s.state.name === 'approved') {
      throw new LinliError('REDEMPTION_STATE', 'the item is being dispensed: report the vend result first', {
        refusal: 'VEND_RESULT_OUTSTANDING',
      });
    }
    await this.step(device.id, s, { type: reason === 'complete' ? 'complete' : 'cancel' });
    return ok;
  }

  /** One step of the session machine and its effects; returns the capture's or void's result, if any. */
  private async step(deviceId: string, s: Session, e: VendEvent): Promise<RedemptionResult | undefined> {
    const r = vendStep(s.state, e, this.d.clock.monotonic(), this.timeouts);
    if (r.ignored) throw new LinliError('REDEMPTION_STATE', r.ignored, { refusal: 'VEND_OUT_OF_ORDER' });
    s.state = r.state;
    let settled: RedemptionResult | undefined;
    for (const fx of r.effects) settled = (await this.effect(deviceId, fx)) ?? settled;
    // a timeout that resumes after the resident tapped again must not drop the new session
    if (s.state.name === 'idle' && this.sessions.get(deviceId) === s) this.sessions.delete(deviceId);
    return settled;
  }

  private async effect(deviceId: string, fx: VendEffect): Promise<RedemptionResult | undefined> {
    switch (fx.type) {
      case 'authorize':
        return undefined; // carried out by request(), which needs the answer
      case 'capture':
        return this.d.service.capture(fx.vendTxn, deviceId);
      case 'void':
        try {
          const r = await this.d.service.void(fx.vendTxn, deviceId);
          this.d.log.info({ deviceId, txn: fx.vendTxn, reason: fx.reason }, 'vend hold voided, resident refunded');
          return r;
        } catch (err) {
          // nothing was held (the vend was denied or never authorized): nothing to refund
          if (err instanceof LinliError && (err.code === 'REDEMPTION_NOT_FOUND' || err.code === 'REDEMPTION_STATE'))
            return undefined;
          throw err;
        }
      case 'end_session':
        this.d.log.debug({ deviceId, reason: fx.reason }, 'vend session ended');
        return undefined;
    }
  }
}
