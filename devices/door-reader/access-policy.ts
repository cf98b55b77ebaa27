/**
 * Who may open which door when. Pure: the caller gives the local weekday and minute (the community's
 * time zone), the rules that name the member or their tier, and gets a decision with a reason code
 * that is logged for every tap. A hotlisted card never reaches this: it is refused when identified.
 */
export interface AccessRule {
  id: string;
  memberId?: string | undefined;
  tier?: string | undefined;
  /** A building, gate or area; "*" for every zone (staff). */
  zone: string;
  /** ISO weekdays the rule applies on, e.g. "12345" for Monday to Friday. */
  weekdays: string;
  /** Local minutes [from, to); from > to is a window over midnight (e.g. 22:00–06:00). */
  fromMin: number;
  toMin: number;
  validUntil?: number | undefined;
}

export type AccessDenial = 'NO_ACCESS' | 'OUTSIDE_HOURS' | 'ACCESS_EXPIRED';
type AccessDecision = { granted: true; ruleId: string } | { granted: false; reason: AccessDenial };

export function inWindow(
  r: Pick<AccessRule, 'weekdays' | 'fromMin' | 'toMin'>,
  weekday: number,
  minute: number,
): boolean {
  if (r.fromMin <= r.toMin) return r.weekdays.includes(String(weekday)) && minute >= r.fromMin && minute < r.toMin;
  // over midnight: the part after midnight belongs to the previous day's window
  if (minute >= r.fromMin) return r.weekdays.includes(String(weekday));
  const previous = weekday === 1 ? 7 : weekday - 1;
  return minute < r.toMin && r.weekdays.includes(String(previous));
}

export function decideAccess(i: {
  memberId: string;
  tier: string;
  zone: string;
  weekday: number;
  minute: number;
  now: number;
  rules: readonly AccessRule[];
}): AccessDecision {
  const mine = i.rules.filter(
    (r) =>
      (r.memberId === i.memberId || (r.tier !== undefined && r.tier === i.tier)) &&
      (r.zone === '*' || r.zone === i.zone),
  );
  if (mine.length === 0) return { granted: false, reason: 'NO_ACCESS' };
  const current = mine.filter((r) => r.validUntil === undefined || i.now < r.validUntil);
  if (current.length === 0) return { granted: false, reason: 'ACCESS_EXPIRED' };
  const open = current.find((r) => inWindow(r, i.weekday, i.minute));
  return open ? { granted: true, ruleId: open.id } : { granted: false, reason: 'OUTSIDE_HOURS' };
}
