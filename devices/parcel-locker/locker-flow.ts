import { randomBytes } from 'node:crypto';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import { type LockerEvent, type LockerRequest, ParcelLockerCapabilitiesSchema } from './wire.ts';

type Deposit = Extract<LockerRequest, { op: 'deposit' }>;
import type { LockerOccupancy } from '../../firmware-protocol/src/messages/state.ts';
import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import type { HealthFinding } from '../adapter.ts';
import {
  compartmentStep,
  newDoor,
  pickCompartment,
  type CompartmentDoor,
  type CompartmentEffect,
  type CompartmentEvent,
  type CompartmentSize,
} from './compartment.ts';
import { isLocked, noLockout, recordAttempt, type LockoutState } from '../keypad-lockout.ts';
import type { FlowsSettings } from '../../gateway/config/schema.ts';
import type { Clock } from '../../gateway/core/clock.ts';
import type { Logger } from '../../gateway/core/log.ts';
import type { CredentialResolver } from '../../gateway/redemption/device/credential-resolver.ts';
import type { WriterPort } from '../../gateway/redemption/service/ports.ts';
import type { CatalogRepo } from '../../gateway/redemption/store/catalog-repo.ts';
import type { GatewaySecrets } from '../../gateway/security/gateway-secrets.ts';
import type { OutboxPort } from '../../gateway/cloud/outbox-port.ts';
import type { DeviceRequest, FlowHandler, RequestingDevice } from '../kind-part.ts';
import { uniqueShortCode } from '../../gateway/flows/short-codes.ts';
import { markDeliveredWhenAllStored, nextBuyerToServe } from './group-buys.ts';
import { depositAnswer, keypadLocked, pickupAnswer } from './locker-answers.ts';
import type { GroupBuyRepo } from './group-buy-repo.ts';
import type { Parcel, ParcelRepo } from './parcel-repo.ts';

const OVERDUE_CHECK_MS = 60_000;

interface LockerFlowDeps {
  parcels: ParcelRepo;
  groupBuys: GroupBuyRepo;
  catalog: CatalogRepo;
  resolver: CredentialResolver;
  secrets: GatewaySecrets;
  writer: WriterPort;
  clock: Clock;
  log: Logger;
  settings: FlowsSettings['locker'];
  /** How long a door may stay open before it is an alert (the health setting doorOpenAlertS). */
  leftOpenMs: number;
  /** The compartments a locker announced in its latest birth (persisted with the device). */
  capabilitiesOf(lockerId: string): unknown;
  setFinding(deviceId: string, key: string, finding: HealthFinding | undefined): void;
  /** Publishes the retained occupancy of a locker [FWP-10.3]. */
  publishOccupancy(lockerId: string, occupancy: LockerOccupancy): void;
  /** Parcel events for the cloud, written with the change. */
  outbox?: OutboxPort | undefined;
  /** Eight digits by default; injected so tests can force collisions. */
  newCode?: () => string;
}

interface LockerRuntime {
  doors: Map<string, CompartmentDoor>;
  keypad: LockoutState;
}

/**
 * [FWP-11.5] Parcel lockers: courier deposits (parcels and group-buy goods), pickup by card or code,
 * and the doors' confirmations. A parcel is assigned durably before the locker is told to open; it is
 * "stored" only when the locker confirms the door closed on it, and "picked up" only when it confirms
 * the door opened for the pickup. A door that does not open is jammed and the parcel stays assigned.
 */
export class LockerFlow implements FlowHandler {
  readonly ops = ['deposit', 'pickup', 'pickup_code'];
  /** Deposits and card pickups are answered from the parcels: a retried one whose door is still closed opens it. */
  readonly replayed = ['pickup_code'];
  private readonly lockers = new Map<string, LockerRuntime>();
  /** Pickup codes in clear, only until the parcel is stored and the member notice written. */
  private readonly pendingCodes = new Map<string, string>();
  private lastOverdueCheck = -Infinity;

  constructor(private readonly d: LockerFlowDeps) {}

  /** After a restart: a pickup whose door was never confirmed open leaves the parcel stored. */
  recover(): void {
    const n = this.d.parcels.recoverAfterRestart();
    if (n > 0) this.d.log.info({ count: n }, 'unconfirmed pickups from before the restart: parcels stay stored');
  }

  async answer(device: RequestingDevice, msg: DeviceRequest): Promise<ResponseBody> {
    const b = msg.body as LockerRequest;
    switch (b.op) {
      case 'deposit':
        return this.deposit(device.id, msg.txn, b);
      case 'pickup': {
        const again = this.replayPickup(device.id, msg.txn, 'pickup');
        if (again) return again;
        const who = await this.d.resolver.identify(b.credential, { txn: { deviceId: device.id, txn: msg.txn } });
        return this.pickupParcels(device.id, msg.txn, this.d.parcels.storedFor(device.id, who.memberId), 'pickup');
      }
      case 'pickup_code':
        return this.pickupByCode(device.id, msg.txn, b.code);
      default:
        throw new LinliError('OPERATION_NOT_ALLOWED', `${(b as { op: string }).op} is not a locker operation`);
    }
  }

  /** Confirmed door states from the locker [FWP-11.7]; `txn` is the flow the event belongs to, when it says. */
  async onEvent(lockerId: string, body: LockerEvent, txn?: string): Promise<void> {
    if (!this.compartments(lockerId).some((c) => c.id === body.compartment)) {
      this.d.log.warn(
        { lockerId, compartment: body.compartment },
        'event for a compartment the locker did not announce: ignored',
      );
      return;
    }
    const type = body.state === 'open' ? 'opened' : body.state === 'closed' ? 'closed' : 'jammed';
    await this.step(lockerId, body.compartment, { type });
    if (txn !== undefined && body.state !== 'jammed') await this.reconcile(lockerId, body.compartment, body.state, txn);
  }

  /**
   * The database, not memory, says what a confirmed event settles: after a gateway restart the door
   * machine has forgotten what it commanded, but the event's txn still names the deposit or pickup.
   */
  private async reconcile(lockerId: string, compartment: string, state: 'open' | 'closed', txn: string): Promise<void> {
    if (state === 'open') {
      const p = this.d.parcels
        .byPickupTxn(lockerId, txn)
        .find((x) => x.compartment === compartment && x.status === 'opening');
      if (p) await this.pickedUp(p);
      return;
    }
    const p = this.d.parcels.byTxn(lockerId, txn);
    if (p && p.compartment === compartment && p.status === 'depositing') await this.stored(p);
  }

  async tick(): Promise<void> {
    for (const [lockerId, rt] of this.lockers) {
      for (const id of [...rt.doors.keys()]) await this.step(lockerId, id, { type: 'tick' });
    }
    const now = this.d.clock.monotonic();
    if (now - this.lastOverdueCheck >= OVERDUE_CHECK_MS) {
      this.lastOverdueCheck = now;
      this.checkOverdue();
      // expired codes open nothing: their clear copies in the notice and cloud outboxes go
      const wall = this.d.clock.now();
      await this.d.writer.submit(() => {
        this.d.parcels.dropExpiredCodeNotices(wall);
        for (const id of this.d.outbox?.redactPickupCode ? this.d.parcels.withExpiredCodes(wall) : [])
          this.d.outbox?.redactPickupCode?.(id);
      });
    }
  }

  /** Staff cleared a jam (the door was repaired or freed): the compartment is usable again. */
  async clearJam(lockerId: string, compartment: string): Promise<void> {
    await this.step(lockerId, compartment, { type: 'clear_jam' });
    this.d.setFinding(lockerId, `COMPARTMENT_JAMMED:${compartment}`, undefined);
  }

  /** A new pickup code for a stored parcel (the member lost it, or it expired); the old one stops working. */
  async reissueCode(parcelId: string): Promise<{ code: string; expiresAt: number }> {
    return this.d.writer.submit(() => {
      const p = this.d.parcels.get(parcelId);
      if (p?.status !== 'stored') throw new LinliError('NOT_FOUND', `no stored parcel ${parcelId}`);
      const { code, hash } = this.freshCode(p.lockerId);
      const expiresAt = this.d.clock.now() + this.d.settings.codeTtlH * 3600_000;
      this.d.parcels.setCode(p.id, hash, expiresAt);
      this.d.parcels.notice(
        p.memberId,
        'parcel_code',
        { parcelId: p.id, lockerId: p.lockerId, code, expiresAt },
        this.d.clock.now(),
      );
      return { code, expiresAt };
    });
  }

  occupancy(lockerId: string): LockerOccupancy {
    // throws for a device that is no locker: no state is created for it
    const compartments = this.compartments(lockerId);
    const rt = this.runtime(lockerId);
    const assigned = new Set(this.d.parcels.active(lockerId).map((p) => p.compartment));
    return {
      ts: this.d.clock.now(),
      compartments: compartments.map((c) => {
        const door = rt.doors.get(c.id) ?? newDoor();
        return {
          id: c.id,
          size: c.size,
          assigned: assigned.has(c.id),
          door: door.confirmed,
          pending: door.door.phase === 'commanded' ? 'open' : null,
          jammed: door.jammed,
        };
      }),
    };
  }

  private async deposit(lockerId: string, txn: string, b: Deposit): Promise<ResponseBody> {
    const prior = this.d.parcels.byTxn(lockerId, txn);
    if (prior) {
      if (prior.tracking !== b.tracking)
        throw new LinliError('TXN_REUSED', `deposit ${txn} was made for another parcel`);
      // a retry (or one after a gateway restart): the door is told to open again if it is idle
      const door = this.runtime(lockerId).doors.get(prior.compartment);
      if (prior.status === 'depositing' && !door?.jammed && (door?.door.phase ?? 'idle') === 'idle') {
        await this.step(lockerId, prior.compartment, { type: 'command_open', txn, purpose: 'deposit' });
      }
      return depositAnswer(prior);
    }
    const placed = await this.d.writer.submit(() => {
      const memberId = this.recipient(b.recipient);
      if (memberId === undefined) return { declined: 'GROUP_BUY_COMPLETE' as const };
      const busy = new Set(this.d.parcels.active(lockerId).map((p) => p.compartment));
      const rt = this.runtime(lockerId);
      const free = this.compartments(lockerId).map((c) => {
        const door = rt.doors.get(c.id);
        return {
          id: c.id,
          size: c.size,
          free: !busy.has(c.id) && !door?.jammed && (door?.door.phase ?? 'idle') === 'idle',
        };
      });
      const compartment = pickCompartment(free, b.size);
      if (!compartment) return { declined: 'LOCKER_FULL' as const };
      const now = this.d.clock.now();
      const { code, hash } = this.freshCode(lockerId);
      const id = `p-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
      this.d.parcels.insert({
        id,
        txnId: txn,
        lockerId,
        compartment,
        memberId,
        tracking: b.tracking,
        size: b.size,
        groupBuyId: b.recipient.type === 'group_buy' ? b.recipient.orderId : null,
        codeHash: hash,
        codeExpiresAt: now + this.d.settings.codeTtlH * 3600_000,
        createdAt: now,
      });
      if (b.recipient.type === 'group_buy') this.d.groupBuys.assignParcel(b.recipient.orderId, memberId, id);
      return { parcel: this.d.parcels.get(id) as Parcel, code };
    });
    if ('declined' in placed) {
      const zh = placed.declined === 'LOCKER_FULL' ? `没有空闲的${b.size}号格口` : '该团购订单已全部投递';
      const en =
        placed.declined === 'LOCKER_FULL'
          ? `No free compartment of size ${b.size} or larger`
          : 'Every buyer of this group buy already has their goods';
      return { status: 'ok', op: 'deposit', decision: 'declined', declineCode: placed.declined, display: { zh, en } };
    }
    this.pendingCodes.set(placed.parcel.id, placed.code);
    await this.step(lockerId, placed.parcel.compartment, { type: 'command_open', txn, purpose: 'deposit' });
    return depositAnswer(placed.parcel);
  }

  /** The member a deposit is for; for a group buy the next buyer without goods (undefined when all have). */
  private recipient(r: Deposit['recipient']): string | undefined {
    if (r.type === 'member') {
      if (!this.d.catalog.member(r.memberId)) throw new LinliError('MEMBER_NOT_FOUND', `no member ${r.memberId}`);
      return r.memberId;
    }
    return nextBuyerToServe(this.d.groupBuys, r.orderId);
  }

  private replayPickup(lockerId: string, txn: string, op: 'pickup' | 'pickup_code'): ResponseBody | undefined {
    const mine = this.d.parcels.byPickupTxn(lockerId, txn);
    return mine.length > 0 ? pickupAnswer(mine, op) : undefined;
  }

  private async pickupByCode(lockerId: string, txn: string, code: string): Promise<ResponseBody> {
    const again = this.replayPickup(lockerId, txn, 'pickup_code');
    if (again) return again;
    const rt = this.runtime(lockerId);
    const now = this.d.clock.now();
    if (isLocked(rt.keypad, now)) return keypadLocked(rt.keypad.lockedUntil ?? now);
    const p = this.d.parcels.byCode(lockerId, this.d.secrets.codeHash(lockerId, code));
    rt.keypad = recordAttempt(
      rt.keypad,
      p !== undefined,
      now,
      this.d.settings.maxWrongCodes,
      this.d.settings.keypadLockS * 1000,
    );
    if (!p) {
      this.d.log.info({ lockerId }, 'wrong pickup code');
      if (isLocked(rt.keypad, now)) return keypadLocked(rt.keypad.lockedUntil ?? now);
      return {
        status: 'ok',
        op: 'pickup_code',
        decision: 'declined',
        declineCode: 'CODE_INVALID',
        display: { zh: '取件码错误', en: 'Wrong pickup code' },
      };
    }
    if (p.codeExpiresAt !== undefined && now >= p.codeExpiresAt) {
      return {
        status: 'ok',
        op: 'pickup_code',
        decision: 'declined',
        declineCode: 'CODE_EXPIRED',
        display: { zh: '取件码已过期，请联系物业', en: 'This code has expired; please ask the property office' },
      };
    }
    return this.pickupParcels(lockerId, txn, [p], 'pickup_code');
  }

  /** `op` is the request's: its answer repeats it [FWP-11.3]. */
  private async pickupParcels(
    lockerId: string,
    txn: string,
    parcels: Parcel[],
    op: 'pickup' | 'pickup_code',
  ): Promise<ResponseBody> {
    const rt = this.runtime(lockerId);
    // a jammed or busy door cannot open now: those parcels wait (staff are alerted)
    const openable = parcels.filter((p) => {
      const door = rt.doors.get(p.compartment);
      return !door?.jammed && (door?.door.phase ?? 'idle') === 'idle';
    });
    if (openable.length === 0) {
      const jammed = parcels.length > 0;
      return {
        status: 'ok',
        op,
        decision: 'declined',
        declineCode: jammed ? 'COMPARTMENT_UNAVAILABLE' : 'NO_PARCELS',
        display: jammed
          ? { zh: '格口故障，请联系物业', en: 'The compartment cannot open; please ask the property office' }
          : { zh: '没有待取的包裹', en: 'No parcels to pick up here' },
      };
    }
    await this.d.writer.submit(() => {
      for (const p of openable) this.d.parcels.setStatus(p.id, 'opening', { pickupTxn: txn });
    });
    const opened: Parcel[] = [];
    for (const p of openable) {
      if (await this.step(lockerId, p.compartment, { type: 'command_open', txn, purpose: 'pickup' })) opened.push(p);
      else await this.d.writer.submit(() => this.d.parcels.setStatus(p.id, 'stored'));
    }
    if (opened.length === 0)
      return {
        status: 'ok',
        op,
        decision: 'declined',
        declineCode: 'COMPARTMENT_UNAVAILABLE',
        display: { zh: '格口暂不可用，请稍后再试', en: 'The compartment is busy; try again shortly' },
      };
    return pickupAnswer(
      opened.map((p) => ({ ...p, status: 'opening' })),
      op,
    );
  }

  /** One event of a compartment's door machine; false when the machine refused it (a busy or jammed door). */
  private async step(lockerId: string, compartment: string, e: CompartmentEvent): Promise<boolean> {
    const rt = this.runtime(lockerId);
    const before = rt.doors.get(compartment) ?? newDoor();
    const r = compartmentStep(before, e, this.d.clock.monotonic(), {
      openConfirmMs: this.d.settings.openConfirmS * 1000,
      leftOpenMs: this.d.leftOpenMs,
    });
    if (r.ignored) {
      this.d.log.warn({ lockerId, compartment, event: e.type, why: r.ignored }, 'compartment event ignored');
      return false;
    }
    rt.doors.set(compartment, r.c);
    for (const fx of r.effects) await this.effect(lockerId, compartment, fx);
    if (e.type !== 'tick' || r.effects.length > 0 || r.c !== before) this.publish(lockerId);
    return true;
  }

  private async effect(lockerId: string, compartment: string, fx: CompartmentEffect): Promise<void> {
    const p = this.d.parcels.active(lockerId).find((x) => x.compartment === compartment);
    switch (fx.type) {
      case 'opened':
        if (fx.purpose === 'pickup' && p && p.status === 'opening') await this.pickedUp(p);
        else if (fx.purpose === undefined)
          this.d.log.warn(
            { lockerId, compartment },
            'compartment opened without a command (service key, or a late confirmation)',
          );
        return;
      case 'closed':
        this.d.setFinding(lockerId, `DOOR_LEFT_OPEN:${compartment}`, undefined);
        if (fx.purpose === 'deposit' && p && p.status === 'depositing') await this.stored(p);
        return;
      case 'jammed':
        this.d.setFinding(lockerId, `COMPARTMENT_JAMMED:${compartment}`, {
          severity: 'fault',
          code: 'COMPARTMENT_JAMMED',
          message:
            `compartment ${compartment} did not open` +
            `${fx.why === 'no_confirmation' ? ' (no confirmation in time)' : ''}`,
        });
        if (p && fx.purpose === 'pickup' && p.status === 'opening') {
          await this.d.writer.submit(() => this.d.parcels.setStatus(p.id, 'stored'));
          this.d.log.warn(
            { lockerId, compartment, parcelId: p.id },
            'compartment jammed at pickup: the parcel stays assigned',
          );
        } else if (p && fx.purpose === 'deposit' && p.status === 'depositing') {
          await this.d.writer.submit(() => {
            this.d.parcels.setStatus(p.id, 'deposit_failed');
            this.d.outbox?.append('parcels', 'parcel.deposit_failed', {
              parcelId: p.id,
              lockerId,
              compartment,
              at: this.d.clock.now(),
            });
            this.d.groupBuys.unassignParcel(p.id);
          });
          this.pendingCodes.delete(p.id);
          this.d.log.warn(
            { lockerId, compartment, parcelId: p.id },
            'compartment jammed at deposit: the courier must deposit again',
          );
        }
        return;
      case 'left_open':
        this.d.setFinding(lockerId, `DOOR_LEFT_OPEN:${compartment}`, {
          severity: 'degraded',
          code: 'DOOR_LEFT_OPEN',
          message: `compartment ${compartment} has been open for ${Math.round(fx.openForMs / 1000)} s`,
        });
        return;
      case 'opened_unexpectedly': // logged with 'opened' above
    }
  }

  private async pickedUp(p: Parcel): Promise<void> {
    const now = this.d.clock.now();
    await this.d.writer.submit(() => {
      if (this.d.parcels.get(p.id)?.status !== 'opening') return;
      this.d.parcels.setStatus(p.id, 'picked_up', { pickedUpAt: now });
      this.d.outbox?.append('parcels', 'parcel.picked_up', {
        parcelId: p.id,
        lockerId: p.lockerId,
        compartment: p.compartment,
        memberId: p.memberId,
        at: now,
      });
      // the code is spent: its clear copies in the notice and cloud outboxes go too
      this.d.parcels.dropCodeNotices(p.id);
      this.d.outbox?.redactPickupCode?.(p.id);
    });
    this.d.log.info({ lockerId: p.lockerId, compartment: p.compartment, parcelId: p.id }, 'parcel picked up');
  }

  /** The courier closed the door on the parcel: it is stored, and the member is told the code. */
  private async stored(p: Parcel): Promise<void> {
    const now = this.d.clock.now();
    const done = await this.d.writer.submit(() => {
      if (this.d.parcels.get(p.id)?.status !== 'depositing') return false;
      let code = this.pendingCodes.get(p.id);
      if (code === undefined) {
        // the clear code was lost with a restart: issue a new one
        const fresh = this.freshCode(p.lockerId);
        code = fresh.code;
        this.d.parcels.setCode(p.id, fresh.hash, now + this.d.settings.codeTtlH * 3600_000);
      }
      this.d.parcels.setStatus(p.id, 'stored', { storedAt: now });
      // the code goes to the member through the cloud; it leaves the outbox once the cloud has it
      this.d.outbox?.append('parcels', 'parcel.stored', {
        parcelId: p.id,
        lockerId: p.lockerId,
        compartment: p.compartment,
        memberId: p.memberId,
        tracking: p.tracking,
        groupBuyId: p.groupBuyId ?? null,
        code,
        codeExpiresAt: now + this.d.settings.codeTtlH * 3600_000,
        at: now,
      });
      this.d.parcels.notice(
        p.memberId,
        'parcel_arrived',
        {
          parcelId: p.id,
          lockerId: p.lockerId,
          compartment: p.compartment,
          tracking: p.tracking,
          code,
          expiresAt: now + this.d.settings.codeTtlH * 3600_000,
        },
        now,
      );
      if (p.groupBuyId) markDeliveredWhenAllStored(this.d.groupBuys, this.d.parcels, p.groupBuyId);
      return true;
    });
    if (!done) return;
    this.pendingCodes.delete(p.id);
    this.d.log.info(
      { lockerId: p.lockerId, compartment: p.compartment, parcelId: p.id },
      'parcel stored; member notified',
    );
  }

  /** Stored since before the locker's overdue age (`lockers.overdueH`): what its PARCELS_OVERDUE counts. */
  isOverdue(p: { status: string; storedAt?: number | null | undefined }): boolean {
    return (
      p.status === 'stored' &&
      p.storedAt !== undefined &&
      p.storedAt !== null &&
      p.storedAt < this.d.clock.now() - this.d.settings.overdueH * 3600_000
    );
  }

  private checkOverdue(): void {
    const counts = this.d.parcels.overdueCounts(this.d.clock.now() - this.d.settings.overdueH * 3600_000);
    for (const lockerId of new Set([...this.lockers.keys(), ...counts.keys()])) {
      const n = counts.get(lockerId) ?? 0;
      this.d.setFinding(
        lockerId,
        'PARCELS_OVERDUE',
        n > 0
          ? {
              severity: 'degraded',
              code: 'PARCELS_OVERDUE',
              message: `${n} parcel(s) waiting longer than ${this.d.settings.overdueH} h`,
            }
          : undefined,
      );
    }
  }

  private freshCode(lockerId: string): { code: string; hash: string } {
    return uniqueShortCode({
      hash: (c) => this.d.secrets.codeHash(lockerId, c),
      inUse: (h) => this.d.parcels.codeInUse(lockerId, h),
      newCode: this.d.newCode,
      what: 'pickup code',
    });
  }

  private compartments(lockerId: string): { id: string; size: CompartmentSize }[] {
    const caps = ParcelLockerCapabilitiesSchema.safeParse(this.d.capabilitiesOf(lockerId));
    if (!caps.success) throw new LinliError('NOT_BORN', 'the locker has not announced its compartments in a birth');
    return caps.data.compartments;
  }

  private runtime(lockerId: string): LockerRuntime {
    let rt = this.lockers.get(lockerId);
    if (!rt) {
      rt = { doors: new Map(), keypad: noLockout };
      this.lockers.set(lockerId, rt);
    }
    return rt;
  }

  private publish(lockerId: string): void {
    try {
      this.d.publishOccupancy(lockerId, this.occupancy(lockerId));
    } catch (err) {
      this.d.log.debug({ err, lockerId }, 'occupancy not published');
    }
  }
}
