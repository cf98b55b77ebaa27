import type { AccessRule } from './access-policy.ts';
import type { Db } from '../../gateway/store/db-type.ts';

interface VisitorCode {
  codeHash: string;
  zone: string;
  hostMemberId: string | undefined;
  label: string | undefined;
  validFrom: number;
  expiresAt: number;
  usesLeft: number | undefined;
}

interface ActivityEvent {
  id: string;
  name: string;
  deviceId: string;
  points: number;
  startsAt: number;
  endsAt: number;
}

export interface AccessLogEntry {
  at: number;
  deviceId: string;
  door: string;
  zone: string;
  subject: string | undefined;
  method: 'card' | 'qr' | 'visitor_code';
  decision: 'granted' | 'denied' | 'checked_in';
  reason: string;
  txnId: string | undefined;
}

/** Door access: zones of readers' doors, rules, visitor codes (hashed), activity events and the decision log. */
export class AccessRepo {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      zone: db.prepare<[string, string], { zone: string }>(
        'SELECT zone FROM access_points WHERE device_id = ? AND door = ?',
      ),
      setZone: db.prepare(
        'INSERT INTO access_points (device_id, door, zone) VALUES (?, ?, ?) ' +
          'ON CONFLICT(device_id, door) DO UPDATE SET zone = excluded.zone',
      ),
      rulesFor: db.prepare<
        [string, string],
        {
          id: string;
          member_id: string | null;
          tier: string | null;
          zone: string;
          weekdays: string;
          from_min: number;
          to_min: number;
          valid_until: number | null;
        }
      >('SELECT * FROM access_rules WHERE member_id = ? OR tier = ?'),
      addRule: db.prepare(
        'INSERT OR REPLACE INTO access_rules (id, member_id, tier, zone, weekdays, from_min, to_min, valid_until) ' +
          'VALUES (@id, @memberId, @tier, @zone, @weekdays, @fromMin, @toMin, @validUntil)',
      ),
      deleteRule: db.prepare('DELETE FROM access_rules WHERE id = ?'),
      allRules: db.prepare<
        [],
        {
          id: string;
          member_id: string | null;
          tier: string | null;
          zone: string;
          weekdays: string;
          from_min: number;
          to_min: number;
          valid_until: number | null;
        }
      >('SELECT * FROM access_rules ORDER BY id LIMIT 5000'),
      allPoints: db.prepare<[], { device_id: string; door: string; zone: string }>(
        'SELECT * FROM access_points ORDER BY device_id, door',
      ),
      addCode: db.prepare(
        'INSERT INTO visitor_codes (code_hash, zone, host_member_id, label, ' +
          'valid_from, expires_at, uses_left, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      code: db.prepare<
        [string],
        {
          code_hash: string;
          zone: string;
          host_member_id: string | null;
          label: string | null;
          valid_from: number;
          expires_at: number;
          uses_left: number | null;
        }
      >('SELECT * FROM visitor_codes WHERE code_hash = ?'),
      useCode: db.prepare('UPDATE visitor_codes SET uses_left = uses_left - 1 WHERE code_hash = ? AND uses_left > 0'),
      activeCodes: db.prepare<
        [number],
        {
          code_hash: string;
          zone: string;
          host_member_id: string | null;
          label: string | null;
          valid_from: number;
          expires_at: number;
          uses_left: number | null;
        }
      >(
        'SELECT * FROM visitor_codes WHERE expires_at > ? AND (uses_left IS NULL OR uses_left > 0) ' +
          'ORDER BY expires_at LIMIT 500',
      ),
      expireCode: db.prepare(
        'UPDATE visitor_codes SET expires_at = @now WHERE substr(code_hash, 1, 12) = @id AND expires_at > @now',
      ),
      unlimited: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM visitor_codes WHERE code_hash = ? AND uses_left IS NULL',
      ),
      addEvent: db.prepare(
        'INSERT OR REPLACE INTO activity_events (id, name, device_id, points, starts_at, ends_at) ' +
          'VALUES (@id, @name, @deviceId, @points, @startsAt, @endsAt)',
      ),
      activeEvent: db.prepare<
        [string, number, number],
        { id: string; name: string; device_id: string; points: number; starts_at: number; ends_at: number }
      >(
        'SELECT * FROM activity_events WHERE device_id = ? AND starts_at <= ? AND ends_at > ? ' +
          'ORDER BY starts_at DESC LIMIT 1',
      ),
      log: db.prepare(
        'INSERT INTO access_log (at, device_id, door, zone, subject, method, decision, reason, txn_id) ' +
          'VALUES (@at, @deviceId, @door, @zone, @subject, @method, @decision, @reason, @txnId)',
      ),
      byTxn: db.prepare<[string, string], { decision: string; reason: string }>(
        'SELECT decision, reason FROM access_log WHERE device_id = ? AND txn_id = ? ORDER BY id DESC LIMIT 1',
      ),
      recent: db.prepare<
        [{ device: string | null; limit: number }],
        {
          at: number;
          device_id: string;
          door: string;
          zone: string;
          subject: string | null;
          method: string;
          decision: string;
          reason: string;
          txn_id: string | null;
        }
      >('SELECT * FROM access_log WHERE (@device IS NULL OR device_id = @device) ORDER BY id DESC LIMIT @limit'),
    };
  }

  /** The zone a door opens; a door nobody mapped is its own zone ("<device>/<door>"). */
  zoneOf(deviceId: string, door: string): string {
    return this.s.zone.get(deviceId, door)?.zone ?? `${deviceId}/${door}`;
  }
  setZone(deviceId: string, door: string, zone: string): void {
    this.s.setZone.run(deviceId, door, zone);
  }
  rulesFor(memberId: string, tier: string): AccessRule[] {
    return this.s.rulesFor.all(memberId, tier).map((r) => ({
      id: r.id,
      memberId: r.member_id ?? undefined,
      tier: r.tier ?? undefined,
      zone: r.zone,
      weekdays: r.weekdays,
      fromMin: r.from_min,
      toMin: r.to_min,
      validUntil: r.valid_until ?? undefined,
    }));
  }
  addRule(r: AccessRule): void {
    this.s.addRule.run({
      id: r.id,
      memberId: r.memberId ?? null,
      tier: r.tier ?? null,
      zone: r.zone,
      weekdays: r.weekdays,
      fromMin: r.fromMin,
      toMin: r.toMin,
      validUntil: r.validUntil ?? null,
    });
  }
  deleteRule(id: string): boolean {
    return this.s.deleteRule.run(id).changes > 0;
  }
  addVisitorCode(c: VisitorCode, now: number): void {
    this.s.addCode.run(
      c.codeHash,
      c.zone,
      c.hostMemberId ?? null,
      c.label ?? null,
      c.validFrom,
      c.expiresAt,
      c.usesLeft ?? null,
      now,
    );
  }
  /** Every access rule, for staff (a community has tens to a few thousand). */
  rules(): {
    id: string;
    memberId: string | null;
    tier: string | null;
    zone: string;
    weekdays: string;
    fromMin: number;
    toMin: number;
    validUntil: number | null;
  }[] {
    return this.s.allRules.all().map((r) => ({
      id: r.id,
      memberId: r.member_id,
      tier: r.tier,
      zone: r.zone,
      weekdays: r.weekdays,
      fromMin: r.from_min,
      toMin: r.to_min,
      validUntil: r.valid_until,
    }));
  }

  /** Each reader's doors and the zone each opens. */
  points(): { deviceId: string; door: string; zone: string }[] {
    return this.s.allPoints.all().map((p) => ({ deviceId: p.device_id, door: p.door, zone: p.zone }));
  }

  /**
   * Visitor codes that still open a door, for staff: each named by the start of its hash (the code itself
   * is never kept), soonest to expire first.
   */
  activeVisitorCodes(now: number): (Omit<VisitorCode, 'codeHash'> & { id: string })[] {
    return this.s.activeCodes.all(now).map((r) => ({
      id: r.code_hash.slice(0, 12),
      zone: r.zone,
      hostMemberId: r.host_member_id ?? undefined,
      label: r.label ?? undefined,
      validFrom: r.valid_from,
      expiresAt: r.expires_at,
      usesLeft: r.uses_left ?? undefined,
    }));
  }

  /** Ends a visitor code now (it stays in the table, expired); false when no active code has this id. */
  expireVisitorCode(id: string, now: number): boolean {
    return this.s.expireCode.run({ id, now }).changes > 0;
  }

  visitorCode(codeHash: string): VisitorCode | undefined {
    const r = this.s.code.get(codeHash);
    return (
      r && {
        codeHash: r.code_hash,
        zone: r.zone,
        hostMemberId: r.host_member_id ?? undefined,
        label: r.label ?? undefined,
        validFrom: r.valid_from,
        expiresAt: r.expires_at,
        usesLeft: r.uses_left ?? undefined,
      }
    );
  }
  /** Takes one use of a code; false when none is left (checked and taken in one statement). */
  useVisitorCode(codeHash: string): boolean {
    if ((this.s.unlimited.get(codeHash)?.n ?? 0) > 0) return true;
    return this.s.useCode.run(codeHash).changes === 1;
  }
  addEvent(e: ActivityEvent): void {
    this.s.addEvent.run(e);
  }
  activeEvent(deviceId: string, now: number): ActivityEvent | undefined {
    const r = this.s.activeEvent.get(deviceId, now, now);
    return (
      r && { id: r.id, name: r.name, deviceId: r.device_id, points: r.points, startsAt: r.starts_at, endsAt: r.ends_at }
    );
  }
  log(e: AccessLogEntry): void {
    this.s.log.run({ ...e, subject: e.subject ?? null, txnId: e.txnId ?? null });
  }
  /** The decision already logged for a txn of a device: a retried tap is answered the same, not decided twice. */
  decided(deviceId: string, txnId: string): { decision: string; reason: string } | undefined {
    return this.s.byTxn.get(deviceId, txnId);
  }
  recent(deviceId: string | undefined, limit: number): AccessLogEntry[] {
    return this.s.recent.all({ device: deviceId ?? null, limit }).map((r) => ({
      at: r.at,
      deviceId: r.device_id,
      door: r.door,
      zone: r.zone,
      subject: r.subject ?? undefined,
      method: r.method as AccessLogEntry['method'],
      decision: r.decision as AccessLogEntry['decision'],
      reason: r.reason,
      txnId: r.txn_id ?? undefined,
    }));
  }
}
