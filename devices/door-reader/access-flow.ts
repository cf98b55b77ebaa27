import { uniqueShortCode } from '../../gateway/flows/short-codes.ts';
import { ERROR_CATALOGUE, LinliError, type ErrorCode } from '../../firmware-protocol/src/errors.ts';
import { type DoorEvent, DoorReaderCapabilitiesSchema, type DoorRequest } from './wire.ts';
import type { WireCredential } from '../../firmware-protocol/src/messages/credential.ts';
import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import type { HealthFinding } from '../adapter.ts';
import { decideAccess } from './access-policy.ts';
import { isLocked, noLockout, recordAttempt, type LockoutState } from '../keypad-lockout.ts';
import type { FlowsSettings } from '../../gateway/config/schema.ts';
import type { Clock } from '../../gateway/core/clock.ts';
import type { Logger } from '../../gateway/core/log.ts';
import type { CredentialResolver } from '../../gateway/redemption/device/credential-resolver.ts';
import { localTime } from '../../gateway/redemption/domain/local-time.ts';
import type { WriterPort } from '../../gateway/redemption/service/ports.ts';
import type { RedemptionService } from '../../gateway/redemption/service/redemption-service.ts';
import type { CatalogRepo } from '../../gateway/redemption/store/catalog-repo.ts';
import type { GatewaySecrets } from '../../gateway/security/gateway-secrets.ts';
import type { DeviceRequest, FlowHandler, RequestingDevice } from '../kind-part.ts';
import type { AccessLogEntry, AccessRepo } from './access-repo.ts';
import type { OutboxPort } from '../../gateway/cloud/outbox-port.ts';

const VISITOR_SCOPE = 'visitor';

interface AccessFlowDeps {
  access: AccessRepo;
  catalog: CatalogRepo;
  resolver: CredentialResolver;
  service: RedemptionService;
  secrets: GatewaySecrets;
  writer: WriterPort;
  clock: Clock;
  log: Logger;
  timezone: string;
  settings: FlowsSettings['access'];
  leftOpenMs: number;
  capabilitiesOf(deviceId: string): unknown;
  setFinding(deviceId: string, key: string, finding: HealthFinding | undefined): void;
  newCode?: () => string;
  /** Every decision is an event for the cloud, written with the log entry. */
  outbox?: OutboxPort | undefined;
}

type Decided = { entry: Omit<AccessLogEntry, 'at' | 'deviceId' | 'door' | 'zone' | 'txnId'>; answer: ResponseBody };

/**
 * [FWP-11.6] Door access, decided locally so it works offline: member rules by zone and time window,
 * staff by tier, visitor codes with an expiry. Cards are looked up at every tap, so a card put on the
 * hotlist is refused from that moment. Every decision (granted, denied, refused card) is logged. A
 * reader set to a community activity checks members in instead, with points once per member and event.
 */
export class AccessFlow implements FlowHandler {
  readonly ops = ['access', 'access_code'];
  readonly replayed = ['access', 'access_code'];
  private readonly keypads = new Map<string, LockoutState>();
  /** Doors reported open: since when (monotonic ms), to raise "left open". */
  private readonly openDoors = new Map<string, { deviceId: string; door: string; since: number; alerted: boolean }>();

  constructor(private readonly d: AccessFlowDeps) {}

  async answer(device: RequestingDevice, msg: DeviceRequest): Promise<ResponseBody> {
    const b = msg.body as DoorRequest;
    if (b.op !== 'access' && b.op !== 'access_code')
      throw new LinliError('OPERATION_NOT_ALLOWED', `${(b as { op: string }).op} is not a door operation`);
    this.requireDoor(device.id, b.door);
    const prior = this.d.access.decided(device.id, msg.txn);
    if (prior) return this.replay(b.door, b.op, prior);
    const zone = this.d.access.zoneOf(device.id, b.door);
    if (b.op === 'access') {
      const decided = await this.byCard(device.id, b.credential, zone, msg.txn, b.door);
      await this.record(device.id, b.door, zone, msg.txn, decided);
      return decided.answer;
    }
    // decided, used and logged in one unit of the writer: two taps of a single-use code cannot both pass
    const code = b.code;
    return this.d.writer.submit(() => {
      let decided = this.byCode(device.id, code, zone, b.door);
      if (
        decided.entry.decision === 'granted' &&
        !this.d.access.useVisitorCode(this.d.secrets.codeHash(VISITOR_SCOPE, code))
      ) {
        decided = {
          entry: { ...decided.entry, decision: 'denied', reason: 'CODE_USED' },
          answer: denied('CODE_USED', 'access_code'),
        };
      }
      this.logDecision({
        ...decided.entry,
        at: this.d.clock.now(),
        deviceId: device.id,
        door: b.door,
        zone,
        txnId: msg.txn,
      });
      return decided.answer;
    });
  }

  /**
   * A tap on the gateway box's own reader acting as a door reader (the property office door): the same
   * rules, hotlist and log as every other reader; returns whether to pulse the relay.
   */
  async localTap(deviceId: string, door: string, credential: WireCredential, txn: string): Promise<boolean> {
    const zone = this.d.access.zoneOf(deviceId, door);
    const decided = await this.byCard(deviceId, credential, zone, txn, door);
    await this.record(deviceId, door, zone, txn, decided);
    return decided.entry.decision === 'granted';
  }

  private record(deviceId: string, door: string, zone: string, txn: string, decided: Decided): Promise<void> {
    return this.d.writer.submit(() =>
      this.logDecision({ ...decided.entry, at: this.d.clock.now(), deviceId, door, zone, txnId: txn }),
    );
  }

  /** Inside a unit of the writer: the access log and its cloud event in one transaction. */
  private logDecision(e: AccessLogEntry): void {
    this.d.access.log(e);
    this.d.outbox?.append('access', e.decision === 'checked_in' ? 'access.checkin' : 'access.decision', {
      ...e,
      subject: e.subject ?? null,
      txnId: e.txnId ?? null,
    });
  }

  /** Door states from the reader [FWP-11.7]: forced and jammed doors, doors left open (tamper: the router). */
  onEvent(deviceId: string, body: DoorEvent): void {
    if (!this.doors(deviceId).includes(body.door)) {
      this.d.log.warn({ deviceId, door: body.door }, 'event for a door the reader did not announce: ignored');
      return;
    }
    const key = `${deviceId}/${body.door}`;
    if (body.state === 'open' || body.state === 'forced') {
      if (!this.openDoors.has(key))
        this.openDoors.set(key, { deviceId, door: body.door, since: this.d.clock.monotonic(), alerted: false });
      if (body.state === 'forced') {
        this.d.log.warn({ deviceId, door: body.door }, 'door forced open');
        this.d.setFinding(deviceId, `DOOR_FORCED:${body.door}`, {
          severity: 'fault',
          code: 'DOOR_FORCED',
          message: `door ${body.door} was opened without a grant`,
        });
      }
    } else if (body.state === 'closed') {
      this.openDoors.delete(key);
      this.d.setFinding(deviceId, `DOOR_LEFT_OPEN:${body.door}`, undefined);
    } else {
      this.d.setFinding(deviceId, `DOOR_JAMMED:${body.door}`, {
        severity: 'fault',
        code: 'DOOR_JAMMED',
        message: `door ${body.door} did not unlock`,
      });
    }
  }

  tick(): void {
    const now = this.d.clock.monotonic();
    for (const o of this.openDoors.values()) {
      if (!o.alerted && now - o.since >= this.d.leftOpenMs) {
        o.alerted = true;
        this.d.setFinding(o.deviceId, `DOOR_LEFT_OPEN:${o.door}`, {
          severity: 'degraded',
          code: 'DOOR_LEFT_OPEN',
          message: `door ${o.door} has been open for ${Math.round((now - o.since) / 1000)} s`,
        });
      }
    }
  }

  /** Staff acknowledged a forced or jammed door (a door still open keeps its alert until it closes). */
  clearDoorAlert(deviceId: string, door: string): void {
    for (const k of ['DOOR_FORCED', 'DOOR_JAMMED', 'DOOR_LEFT_OPEN'])
      this.d.setFinding(deviceId, `${k}:${door}`, undefined);
  }

  /** A visitor code for a zone (shown once: only its keyed hash is kept). */
  /** Staff revoke a visitor code: it stops opening doors at once. */
  revokeVisitorCode(id: string): Promise<boolean> {
    return this.d.writer.submit(() => this.d.access.expireVisitorCode(id, this.d.clock.now()));
  }

  async createVisitorCode(v: {
    zone: string;
    hostMemberId?: string | undefined;
    label?: string | undefined;
    validFrom?: number | undefined;
    expiresAt: number;
    uses?: number | undefined;
  }): Promise<{ code: string; expiresAt: number }> {
    return this.d.writer.submit(() => {
      const now = this.d.clock.now();
      if (v.expiresAt <= now) throw new LinliError('VALIDATION_FAILED', 'expiresAt must be in the future');
      if (v.hostMemberId && !this.d.catalog.member(v.hostMemberId))
        throw new LinliError('MEMBER_NOT_FOUND', `no member ${v.hostMemberId}`);
      const { code, hash: codeHash } = uniqueShortCode({
        hash: (c) => this.d.secrets.codeHash(VISITOR_SCOPE, c),
        inUse: (h) => this.d.access.visitorCode(h) !== undefined,
        newCode: this.d.newCode,
        what: 'visitor code',
      });
      this.d.access.addVisitorCode(
        {
          codeHash,
          zone: v.zone,
          hostMemberId: v.hostMemberId,
          label: v.label,
          validFrom: v.validFrom ?? now,
          expiresAt: v.expiresAt,
          usesLeft: v.uses,
        },
        now,
      );
      return { code, expiresAt: v.expiresAt };
    });
  }

  private async byCard(
    deviceId: string,
    credential: WireCredential,
    zone: string,
    txn: string,
    door: string,
  ): Promise<Decided> {
    const method = credential.type === 'qr' ? 'qr' : 'card';
    let memberId: string;
    try {
      memberId = (await this.d.resolver.identify(credential, { txn: { deviceId, txn } })).memberId;
    } catch (err) {
      if (!(err instanceof LinliError)) throw err;
      // a hotlisted, unknown or replayed card is a decision too: log it, then answer with the error's code
      await this.d.writer.submit(() =>
        this.logDecision({
          at: this.d.clock.now(),
          deviceId,
          door,
          zone,
          subject: undefined,
          method,
          decision: 'denied',
          reason: err.code,
          txnId: txn,
        }),
      );
      throw err;
    }
    const member = this.d.catalog.member(memberId);
    if (!member) throw new LinliError('MEMBER_NOT_FOUND');
    const now = this.d.clock.now();
    const event = this.d.access.activeEvent(deviceId, now);
    if (event) {
      const r = await this.d.service.awardPoints(memberId, event.points, `checkin:${event.id}:${memberId}`, 'activity');
      return {
        entry: {
          subject: memberId,
          method,
          decision: 'checked_in',
          reason: r.awarded ? 'CHECKED_IN' : 'ALREADY_CHECKED_IN',
        },
        answer: {
          status: 'ok',
          op: 'access',
          decision: r.awarded ? 'approved' : 'declined',
          ...(r.awarded ? { pointsAwarded: event.points } : { declineCode: 'ALREADY_CHECKED_IN' }),
          display: r.awarded
            ? {
                zh: `签到成功：${event.name}，积分 +${event.points}`,
                en: `Checked in to ${event.name}: +${event.points} points`,
              }
            : { zh: `已签到：${event.name}`, en: `Already checked in to ${event.name}` },
        },
      };
    }
    const t = localTime(now, this.d.timezone);
    const decision = decideAccess({
      memberId,
      tier: member.tier,
      zone,
      weekday: t.weekday,
      minute: t.minuteOfDay,
      now,
      rules: this.d.access.rulesFor(memberId, member.tier),
    });
    if (decision.granted)
      return {
        entry: { subject: memberId, method, decision: 'granted', reason: `RULE:${decision.ruleId}` },
        answer: this.granted(door),
      };
    return {
      entry: { subject: memberId, method, decision: 'denied', reason: decision.reason },
      answer: denied(decision.reason),
    };
  }

  private byCode(deviceId: string, code: string, zone: string, door: string): Decided {
    const now = this.d.clock.now();
    const keypad = this.keypads.get(deviceId) ?? noLockout;
    const locked = (until: number): Decided => ({
      entry: { subject: undefined, method: 'visitor_code', decision: 'denied', reason: 'KEYPAD_LOCKED' },
      answer: {
        status: 'ok',
        op: 'access_code',
        decision: 'declined',
        declineCode: 'KEYPAD_LOCKED',
        lockedUntil: until,
        display: { zh: '错误次数过多，请稍后再试', en: 'Too many wrong codes; try again later' },
      },
    });
    if (isLocked(keypad, now)) return locked(keypad.lockedUntil ?? now);
    const v = this.d.access.visitorCode(this.d.secrets.codeHash(VISITOR_SCOPE, code));
    const next = recordAttempt(
      keypad,
      v !== undefined,
      now,
      this.d.settings.maxWrongCodes,
      this.d.settings.keypadLockS * 1000,
    );
    this.keypads.set(deviceId, next);
    const subject = v ? `visitor${v.hostMemberId ? `:${v.hostMemberId}` : ''}` : undefined;
    const no = (reason: string): Decided => ({
      entry: { subject, method: 'visitor_code', decision: 'denied', reason },
      answer: denied(reason, 'access_code'),
    });
    if (!v) return isLocked(next, now) ? locked(next.lockedUntil ?? now) : no('CODE_INVALID');
    if (now < v.validFrom || now >= v.expiresAt) return no('CODE_EXPIRED');
    if (v.usesLeft !== undefined && v.usesLeft <= 0) return no('CODE_USED');
    if (v.zone !== '*' && v.zone !== zone) return no('NO_ACCESS');
    return {
      entry: { subject, method: 'visitor_code', decision: 'granted', reason: 'VISITOR_CODE' },
      answer: { ...this.granted(door), op: 'access_code' },
    };
  }

  private granted(door: string, op: 'access' | 'access_code' = 'access'): ResponseBody {
    return {
      status: 'ok',
      op,
      decision: 'approved',
      unlock: { door, pulseMs: this.d.settings.pulseMs },
      display: { zh: '欢迎回家', en: 'Welcome' },
    };
  }

  /**
   * A resend answered from the access log (the gateway restarted before it kept the first answer: the
   * request answer store has it otherwise), with the request's op.
   */
  private replay(
    door: string,
    op: 'access' | 'access_code',
    prior: { decision: string; reason: string },
  ): ResponseBody {
    if (prior.decision === 'granted') return this.granted(door, op);
    if (prior.decision === 'checked_in') {
      return {
        status: 'ok',
        op,
        decision: prior.reason === 'CHECKED_IN' ? 'approved' : 'declined',
        ...(prior.reason === 'CHECKED_IN' ? {} : { declineCode: 'ALREADY_CHECKED_IN' }),
        display: { zh: '已签到', en: 'Checked in' },
      };
    }
    if (prior.reason in DENIALS) return denied(prior.reason, op);
    throw new LinliError(isErrorCode(prior.reason) ? prior.reason : 'INTERNAL_ERROR');
  }

  private doors(deviceId: string): string[] {
    const caps = DoorReaderCapabilitiesSchema.safeParse(this.d.capabilitiesOf(deviceId));
    return caps.success ? caps.data.doors.map((x) => x.id) : [];
  }

  private requireDoor(deviceId: string, door: string): void {
    const doors = this.doors(deviceId);
    if (doors.length === 0) throw new LinliError('NOT_BORN', 'the reader has not announced its doors in a birth');
    if (!doors.includes(door)) throw new LinliError('OPERATION_NOT_ALLOWED', `this reader has no door ${door}`);
  }
}

const DENIALS: Record<string, { zh: string; en: string }> = {
  NO_ACCESS: { zh: '无通行权限', en: 'No access here' },
  OUTSIDE_HOURS: { zh: '不在通行时段', en: 'Not at this time' },
  ACCESS_EXPIRED: { zh: '通行权限已过期', en: 'Access has expired' },
  CODE_INVALID: { zh: '访客码错误', en: 'Wrong visitor code' },
  CODE_EXPIRED: { zh: '访客码不在有效期内', en: 'This visitor code is not valid now' },
  CODE_USED: { zh: '访客码已用完', en: 'This visitor code is used up' },
  KEYPAD_LOCKED: { zh: '错误次数过多，请稍后再试', en: 'Too many wrong codes; try again later' },
};

function denied(reason: string, op: 'access' | 'access_code' = 'access'): ResponseBody {
  return {
    status: 'ok',
    op,
    decision: 'declined',
    declineCode: reason,
    display: DENIALS[reason] ?? { zh: '无法通行', en: 'Access denied' },
  };
}

const isErrorCode = (s: string): s is ErrorCode => s in ERROR_CATALOGUE;
