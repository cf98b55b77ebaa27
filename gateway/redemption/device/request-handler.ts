import { ERROR_CATALOGUE, LinliError, type ErrorCode } from '../../../firmware-protocol/src/errors.ts';
import type { ResponseBody } from '../../../firmware-protocol/src/messages/response.ts';
import { OP_KINDS, type RequestMessage } from '../../../firmware-protocol/src/messages/redemption.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { Downlink } from '../../messaging/downlink.ts';
import type { FlowHandler } from '../../../devices/kind-part.ts';
import { formatYuan } from '../domain/money.ts';
import { decided, displayFor, memberSummary } from './answers.ts';
import type { LedgerPort, WriterPort } from '../service/ports.ts';
import type { RedemptionService } from '../service/redemption-service.ts';
import type { CatalogRepo } from '../store/catalog-repo.ts';
import type { RedemptionRepo } from '../store/redemption-repo.ts';
import type { CredentialResolver } from './credential-resolver.ts';
import { requestHash, type AnswerStore } from './answer-store.ts';

export type { RequestingDevice } from '../../../devices/kind-part.ts';
import type { RequestingDevice } from '../../../devices/kind-part.ts';

/**
 * [FWP-4.3] The engine's ops whose first answer is kept and replayed as is to a resend (a flow names
 * its own in `replayed`). Money ops are answered from their redemption (its state moves on): redeem and
 * authorize keep only the request's hash, written with the decision, so a resend is recognised before
 * the card is read again.
 */
const REPLAYED: ReadonlySet<string> = new Set(['lookup', 'reverse']);

/**
 * Device requests of the redemption flows: identify the resident, decide through the redemption
 * service, and answer on the device's response topic with what to show. Nothing a device sends can
 * make this throw: every failure becomes a coded response.
 */

export class DeviceRequestHandler {
  constructor(
    private readonly d: {
      service: RedemptionService;
      resolver: CredentialResolver;
      catalog: CatalogRepo;
      redemptions: RedemptionRepo;
      ledger: LedgerPort;
      answers: AnswerStore;
      writer: WriterPort;
      downlink: Downlink;
      clock: Clock;
      log: Logger;
      /** Told how long each request took to answer, and the answer (metrics). */
      onAnswered?: ((seconds: number, body: ResponseBody) => void) | undefined;
    },
  ) {}

  private readonly flows = new Map<string, FlowHandler>();
  private readonly replayed = new Set<string>(REPLAYED);

  /** Adds the ops of a device flow (a kind's sessions: vending, locker, door access, charging). */
  use(flow: FlowHandler): this {
    for (const op of flow.ops) this.flows.set(op, flow);
    for (const op of flow.replayed ?? []) this.replayed.add(op);
    return this;
  }

  async handle(device: RequestingDevice, msg: RequestMessage): Promise<void> {
    const started = this.d.clock.monotonic();
    let body: ResponseBody;
    try {
      body = await this.answer(device, msg);
    } catch (err) {
      const code: ErrorCode = err instanceof LinliError ? err.code : 'INTERNAL_ERROR';
      if (!(err instanceof LinliError))
        this.d.log.error({ err, deviceId: device.id, op: msg.body.op }, 'device request failed');
      const refusal = err instanceof LinliError ? err.details?.refusal : undefined;
      body = {
        status: 'error',
        op: msg.body.op,
        code,
        message: err instanceof LinliError ? err.message : ERROR_CATALOGUE.INTERNAL_ERROR.message,
        ...(typeof refusal === 'string' ? { refusal } : {}),
        display: displayFor(code),
      };
    }
    this.d.onAnswered?.((this.d.clock.monotonic() - started) / 1000, body);
    await this.d.downlink.send(device.id, 'response', 'response', body, { corr: msg.id, txn: msg.txn });
  }

  private async answer(device: RequestingDevice, msg: RequestMessage): Promise<ResponseBody> {
    const b = msg.body;
    const flow = this.flows.get(b.op);
    // [FWP-11.2] the kinds' wire contracts say which kind may ask for what
    if (!OP_KINDS.get(b.op)?.includes(device.kind))
      throw new LinliError('OPERATION_NOT_ALLOWED', `a ${device.kind} may not ${b.op}`);
    const hash = requestHash(b);
    const again = this.resent(device, msg, hash);
    if (again) return again;
    const body = flow ? await flow.answer(device, msg) : await this.builtin(device, msg, hash);
    if (this.replayed.has(b.op) && body.status === 'ok') {
      await this.d.writer.submit(() => this.d.answers.put(device.id, msg.txn, b.op, hash, body, this.d.clock.now()));
    }
    return body;
  }

  /** [FWP-4.3] A resend of a known request gets its first answer, before anything is read or checked again. */
  private resent(device: RequestingDevice, msg: RequestMessage, hash: string): ResponseBody | undefined {
    const prior = this.d.answers.get(device.id, msg.txn, msg.body.op);
    if (!prior) return undefined;
    if (prior.requestHash !== hash)
      throw new LinliError('TXN_REUSED', `transaction ${msg.txn} was used for a different ${msg.body.op}`);
    if (prior.answer) return prior.answer;
    const row = this.d.redemptions.byTxn(device.id, msg.txn);
    return row ? decided(msg.body.op, row.result) : undefined;
  }

  private async builtin(device: RequestingDevice, msg: RequestMessage, hash: string): Promise<ResponseBody> {
    const b = msg.body;
    const merchantId = device.merchantId;
    if (merchantId === null && b.op !== 'lookup')
      throw new LinliError(
        'OPERATION_NOT_ALLOWED',
        `${device.id} is not bound to a merchant; staff set one when provisioning`,
      );
    const at = this.d.clock.now();
    switch (b.op) {
      case 'redeem':
      case 'authorize': {
        // verified now, admitted (hotlist, tap counter) inside the decision after its idempotency check
        const who = this.d.resolver.present(b.credential, { allowCoupon: b.op === 'redeem' });
        const txn = { deviceId: device.id, txn: msg.txn };
        const purchase = {
          merchantId: merchantId ?? device.id,
          deviceId: device.id,
          deviceKind: device.kind,
          items: b.items ?? [],
          ...(b.op === 'redeem' ? { amountFen: b.amountFen } : {}),
          at,
        };
        const admit = () => {
          this.d.resolver.admit(who, txn);
          // with the decision, in its transaction: a resend is then known before its card is read again
          this.d.answers.put(device.id, msg.txn, b.op, hash, undefined, at);
        };
        const req = {
          txnId: msg.txn,
          memberId: who.memberId,
          trust: who.trust,
          purchase,
          couponInstanceId: who.couponInstanceId,
          admit,
        };
        return decided(
          b.op,
          b.op === 'redeem' ? await this.d.service.redeem(req) : await this.d.service.authorize(req),
        );
      }
      case 'capture':
      case 'void':
        return decided(
          b.op,
          b.op === 'capture'
            ? await this.d.service.capture(msg.txn, device.id)
            : await this.d.service.void(msg.txn, device.id),
        );
      case 'reverse': {
        const r = this.d.redemptions.get(b.redemptionId);
        // a cashier sees and reverses only their own shop's redemptions
        if (!r || r.merchantId !== merchantId)
          throw new LinliError('REDEMPTION_NOT_FOUND', `no redemption ${b.redemptionId} at this shop`);
        return decided(b.op, await this.d.service.reverse(b.redemptionId, `${device.id}|${msg.txn}`));
      }
      case 'lookup': {
        const who = await this.d.resolver.identify(b.credential, { txn: { deviceId: device.id, txn: msg.txn } });
        const member = memberSummary(this.d.catalog, this.d.ledger, who.memberId, at);
        const { walletFen, points } = member;
        return {
          status: 'ok',
          op: 'lookup',
          decision: 'none',
          member,
          display: {
            zh: `余额 ¥${formatYuan(walletFen)} · 积分 ${points}`,
            en: `Balance ¥${formatYuan(walletFen)} · ${points} points`,
          },
        };
      }
      default:
        throw new LinliError('OPERATION_NOT_ALLOWED', `this gateway serves no ${b.op} requests`);
    }
  }
}
