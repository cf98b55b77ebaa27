import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_KINDS } from '../../devices/registry.ts';
import {
  ACCESS,
  BOX_CODES,
  CODE_CATALOGUE,
  CODE_FAMILIES,
  type CodeFamily,
  DECLINES,
  describe as describeCode,
  HEALTH,
  KIND_CODES,
  REFUSALS,
  wireCodes,
} from '../../firmware-protocol/src/catalogue/index.ts';
import { boxHealthCode } from '../../devices/box/codes.ts';
import { ERROR_DISPLAY } from '../../firmware-protocol/src/error-display.ts';
import { ERROR_CATALOGUE, WIRE_ERROR_CODES } from '../../firmware-protocol/src/errors.ts';
import { GATEWAY_ALERT_CODES } from '../../gateway/cloud/contract/events-health.ts';
import { decided } from '../../gateway/redemption/device/answers.ts';
import { NOT_FOR_THIS_MEMBER, REASONS } from '../../gateway/redemption/domain/reasons.ts';
import { DECLINE_CODES, type RedemptionResult } from '../../gateway/redemption/service/result.ts';

const root = new URL('../../', import.meta.url).pathname;
const doc = readFileSync(join(root, 'firmware-protocol/PROTOCOL.md'), 'utf8');

/**
 * The sources that emit codes: everything under gateway/, devices/, broker/ and firmware-protocol/src,
 * without tests and without the declarations themselves (the catalogue and the kinds' codes.ts).
 */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    if (f === 'node_modules' || p === 'firmware-protocol/src/catalogue') return [];
    if (statSync(join(root, p)).isDirectory()) return sources(p);
    return /\.(ts|mjs)$/.test(f) && !/\.test\.ts$/.test(f) && f !== 'codes.ts' ? [p] : [];
  });
}
const FILES = new Map(
  ['gateway', 'devices', 'broker', 'firmware-protocol/src'].flatMap(sources).map((p) => [p, read(p)] as const),
);
function read(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}
function file(path: string): string {
  const text = FILES.get(path);
  if (text === undefined) throw new Error(`${path} is gone: the scan in this test must follow it`);
  return text;
}

/** Upper-case string literals ('LOCKER_FULL') in a piece of code. */
const literals = (code: string) => [...code.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] as string);

/**
 * For every match of `pattern` (its group 1 is an expression): the literals it names, or — when it names
 * none — the expression itself as an indirection, which must be one the scan follows elsewhere.
 */
function scan(pattern: RegExp, paths: Iterable<string>): { codes: Set<string>; indirect: string[] } {
  const codes = new Set<string>();
  const indirect: string[] = [];
  for (const path of paths) {
    for (const m of file(path).matchAll(pattern)) {
      const expr = (m[1] ?? '').trim();
      const found = literals(expr);
      const template = expr.match(/^`([A-Z][A-Z0-9_]+):\$\{/);
      if (template) codes.add(template[1] as string);
      else if (found.length > 0) for (const c of found) codes.add(c);
      else indirect.push(`${path}: ${expr}`);
    }
  }
  return { codes, indirect };
}

const union = (...sets: Iterable<string>[]) => new Set(sets.flatMap((s) => [...s]));
const under = (...prefixes: string[]) => [...FILES.keys()].filter((p) => prefixes.some((x) => p.startsWith(x)));
const ACCESS_FLOW = 'devices/door-reader/access-flow.ts';
const ACCESS_POLICY = 'devices/door-reader/access-policy.ts';

/** The expression up to the end of its line (a `declineCode: a ? 'X' : 'Y'` names both). */
const field = (name: string) => new RegExp(`\\b${name}:\\s*([^\\n]+)`, 'g');

/** [FWP-11.3] Decline codes of every flow but the door's (the `access` family), and the engine's own. */
function emittedDeclines() {
  const notDoor = [...FILES.keys()].filter((p) => p !== ACCESS_FLOW);
  const set = scan(field('declineCode'), notDoor);
  const placed = scan(field('declined'), notDoor);
  return {
    codes: union(set.codes, placed.codes, DECLINE_CODES),
    // schemas, the engine's `decline(…, code)` and results passed on (both DECLINE_CODES, above), and a
    // locker's `declined: 'X'` (scanned above)
    indirect: set.indirect.filter(
      (e) =>
        !/: (z\.|R\.declineCode|r\.declineCode|result\.declineCode|placed\.declined)/.test(e) &&
        !/decide-pipeline\.ts: code\b/.test(e),
    ),
  };
}

/** [FWP-11.3] Refusals with REDEMPTION_STATE: `refusal: 'X'` anywhere, and the lifecycle's `refused: 'X'`. */
function emittedRefusals() {
  const all = FILES.keys();
  const set = scan(field('refusal'), all);
  const lifecycle = scan(field('refused'), ['gateway/redemption/domain/lifecycle.ts']);
  const transitions = file('gateway/redemption/domain/lifecycle.ts').match(/type TransitionRefusal =([^;]+);/);
  return {
    codes: union(set.codes, lifecycle.codes, literals(transitions?.[1] ?? '')),
    // `refusal: t.refused` is the lifecycle's (scanned above); `refusal: z.string()` is the schema
    indirect: set.indirect.filter((e) => !/: (t\.refused|z\.)/.test(e)),
  };
}

/** [FWP-11.3] notApplied reasons: what the redemption rules and the selection return, and every `reject(c, 'X')`. */
function emittedReasons() {
  const rules = ['gateway/redemption/domain/rules.ts', 'gateway/redemption/domain/select.ts'];
  const rejected = scan(/\breject\(\s*\w+,\s*([^)]+)\)/g, FILES.keys());
  return {
    codes: union(
      rules.flatMap((p) => literals(file(p))),
      rejected.codes.values(),
    ),
    indirect: [],
  };
}

/** [FWP-11.6] The door: the policy's denials, and the access flow's declines and access-log reasons. */
function emittedAccess() {
  const flow = file(ACCESS_FLOW);
  const policy = file(ACCESS_POLICY);
  const denials = policy.match(/type AccessDenial =([^;]+);/);
  const decisions = scan(/\b(?:reason|declineCode):\s*([^\n]+)/g, [ACCESS_FLOW, ACCESS_POLICY]);
  const refused = [...flow.matchAll(/\bno\('([A-Z][A-Z0-9_]+)'\)/g)].map((m) => m[1] as string);
  const table = flow.match(/const DENIALS[^=]*=\s*\{([\s\S]*?)\n\};/);
  const texts = [...(table?.[1] ?? '').matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] as string);
  return {
    codes: union(literals(denials?.[1] ?? ''), decisions.codes, refused, texts),
    // a refused card is logged with its error code (the errors family); the rest is passed on from the above
    indirect: decisions.indirect.filter(
      (e) => !/: (err\.code|decision\.reason|reason\b|prior\.reason|string\b|AccessDenial\b)/.test(e),
    ),
  };
}

/**
 * [FWP-10.2] Health reasons: every finding (`severity`, then `code`) in the gateway, every `code: 'X'` in
 * the kinds' folders, the health evaluation's and monitor's codes (`goOffline`), vending anomalies, the
 * gateway's alerts and the box's components (`BOX_<COMPONENT>_<STATE>` for every state but ok).
 */
function emittedHealth() {
  const findings = scan(
    /severity:\s*'(?:fault|degraded)'(?:\s+as const)?,\s*code:\s*([^\n]+)/g,
    under('gateway/', 'devices/'),
  );
  const kinds = scan(/\bcode:\s*('[A-Z][A-Z0-9_]+')/g, under('devices/'));
  const health = scan(/\bcode:\s*([`'][A-Z][^\n]*)/g, under('gateway/health/'));
  const offline = scan(/\bgoOffline\(\s*([^,]+),/g, under('gateway/'));
  const anomalies = scan(/\bonAnomaly\?*\.?\(\s*[\w.]+,\s*([^,)]+)/g, under('gateway/', 'devices/'));
  return {
    codes: union(
      findings.codes,
      kinds.codes,
      health.codes,
      offline.codes,
      anomalies.codes,
      GATEWAY_ALERT_CODES,
      boxStates().map(([component, state]) => boxHealthCode(component, state) as string),
    ),
    indirect: [...findings.indirect, ...health.indirect, ...offline.indirect, ...anomalies.indirect].filter(
      (e) => !/: (f\.code|code|c\b)/.test(e),
    ),
  };
}

/** The box's components and the states each can be in, but ok: read from the types that declare them. */
function boxStates(): [string, string][] {
  const reader = file('devices/box/card-reader.ts').match(/interface ReaderHealth \{\s*state: ([^;]+);/);
  const parts = file('devices/box/box-hardware.ts').match(/interface BoxComponentHealth[^{]*\{\s*component: ([^;]+);/);
  const tamper = file('gateway/flows/desk-reader.ts').match(/component: '(\w+)'; state: ([^;]+);/);
  if (!reader || !parts || !tamper) throw new Error('the box health types moved: update boxStates()');
  const states = (union_: string) => [...union_.matchAll(/'(\w+)'/g)].map((m) => m[1] as string);
  const all: [string, string][] = [
    ...states(parts[1] as string).flatMap((c) => states(reader[1] as string).map((s): [string, string] => [c, s])),
    ...states(tamper[2] as string).map((s): [string, string] => [tamper[1] as string, s]),
  ];
  return all.filter(([, s]) => s !== 'ok');
}

/** [FWP-6.2] Errors: every `LinliError('X')`, every refusal of the router, and `code: 'X'` where errors are built. */
function emittedErrors() {
  const thrown = scan(/\bLinliError\(\s*([^,\n]+)/g, FILES.keys());
  const refused = scan(/\brefuse\(\s*\w+,\s*([^,)]+)/g, FILES.keys());
  const built = scan(/\bcode:\s*('[A-Z][A-Z0-9_]+')/g, under('firmware-protocol/src/', 'broker/', 'gateway/http/'));
  return {
    codes: union(thrown.codes, refused.codes, built.codes, Object.keys(ERROR_CATALOGUE)),
    // ErrorCode-typed values passed on: a decoder's result, a logged code read back (checked by isErrorCode)
    indirect: [...thrown.indirect, ...refused.indirect].filter(
      (e) => !/: (code|c|err\.code|e\.code|decoded\.code)\b/.test(e),
    ),
  };
}

const EMITTED: Record<CodeFamily, () => { codes: Set<string>; indirect: string[] }> = {
  errors: emittedErrors,
  declines: emittedDeclines,
  reasons: emittedReasons,
  refusals: emittedRefusals,
  access: emittedAccess,
  health: emittedHealth,
};

/** Codes the scans must find: a scan that stops matching fails here instead of passing on an empty set. */
const KNOWN: Record<CodeFamily, string[]> = {
  errors: ['CARD_BLOCKED', 'PAYLOAD_TOO_LARGE', 'SCHEMA_INVALID', 'REDEMPTION_STATE'],
  declines: ['INSUFFICIENT_FUNDS', 'VOIDED', 'REVERSED', 'LOCKER_FULL', 'NO_PARCELS', 'KEYPAD_LOCKED'],
  reasons: ['INSTANCE_USED', 'NOT_BEST', 'THRESHOLD_NOT_MET', 'BUDGET_EXHAUSTED'],
  refusals: ['ALREADY_REVERSED', 'HOLD_EXPIRED', 'VEND_IN_PROGRESS', 'SOCKET_BUSY', 'ALREADY_SETTLED', 'NOT_HELD'],
  access: ['NO_ACCESS', 'ACCESS_EXPIRED', 'CODE_USED', 'ALREADY_CHECKED_IN', 'CHECKED_IN', 'RULE'],
  health: [
    'TAMPER',
    'HEARTBEAT_TIMEOUT',
    'DEVICE_FAULT',
    'FLAPPING',
    'OVER_CURRENT',
    'OCCUPIED_AFTER_FULL',
    'LOCKER_FULL',
    'MERCHANT_MISMATCH',
    'VEND_AFTER_VOID',
    'OUTBOX_OVER_BUDGET',
    'BOX_NFC_UNAVAILABLE',
    'BOX_TAMPER_OPEN',
  ],
};

describe('the code catalogue: one place for every code the outside world sees', () => {
  it('has the six families, and every code in them has a Chinese and an English text', () => {
    expect(Object.keys(CODE_CATALOGUE).sort()).toEqual([...CODE_FAMILIES].sort());
    for (const family of CODE_FAMILIES) {
      const table = CODE_CATALOGUE[family];
      expect(Object.keys(table).length, family).toBeGreaterThan(0);
      for (const [code, e] of Object.entries(table)) {
        expect(code, `${family}`).toMatch(/^[A-Z][A-Z0-9_]*$/);
        expect(e.zh.trim(), `${family} ${code}`).not.toBe('');
        expect(e.zh, `${family} ${code}: zh must be Chinese`).toMatch(/[\u4e00-\u9fff]/);
        expect(e.en.trim(), `${family} ${code}`).not.toBe('');
        expect(e.en, `${family} ${code}: en must be English`).toMatch(/[A-Za-z]/);
        expect(e.en, `${family} ${code}: en must be English`).not.toMatch(/[\u4e00-\u9fff]/);
        expect(typeof e.wire, `${family} ${code}`).toBe('boolean');
      }
    }
  });

  for (const family of CODE_FAMILIES) {
    it(`every ${family} code the code base can emit is in the catalogue`, () => {
      const { codes, indirect } = EMITTED[family]();
      expect(indirect, `${family}: codes set from an expression this test does not follow`).toEqual([]);
      for (const code of KNOWN[family])
        expect([...codes], `${family}: the scan no longer finds ${code}`).toContain(code);
      const missing = [...codes].filter((c) => !Object.hasOwn(CODE_CATALOGUE[family], c));
      expect(missing, `${family} codes emitted but not in the catalogue`).toEqual([]);
    });
  }

  it('merges every kind of the registry, and a kind declares the codes its own folder emits', () => {
    expect(Object.keys(KIND_CODES).sort()).toEqual([...DEVICE_KINDS].sort());
    for (const [kind, codes] of Object.entries(KIND_CODES)) {
      const folder = `devices/${kind.replaceAll('_', '-')}/`;
      const own = {
        health: scan(/\bcode:\s*('[A-Z][A-Z0-9_]+')/g, under(folder)).codes,
        refusals: scan(field('refusal'), under(folder)).codes,
        access: new Set(literals(file(ACCESS_POLICY).match(/type AccessDenial =([^;]+);/)?.[1] ?? '')),
      };
      const base = { health: HEALTH, refusals: REFUSALS, access: ACCESS } as const;
      for (const family of ['health', 'refusals'] as const)
        for (const code of own[family])
          expect(Object.hasOwn(codes[family] ?? {}, code) || Object.hasOwn(base[family], code), `${kind} ${code}`).toBe(
            true,
          );
      if (kind === 'door_reader') for (const code of own.access) expect(codes.access ?? {}, kind).toHaveProperty(code);
    }
    expect(Object.keys(BOX_CODES.health ?? {}).sort()).toEqual(
      boxStates()
        .map(([c, s]) => boxHealthCode(c, s))
        .sort(),
    );
  });

  it('the existing tables are views of it: error displays, reason texts, decline displays', () => {
    expect(Object.keys(ERROR_DISPLAY).sort()).toEqual([...WIRE_ERROR_CODES].sort());
    for (const code of WIRE_ERROR_CODES) {
      const e = CODE_CATALOGUE.errors[code];
      expect(ERROR_DISPLAY[code as keyof typeof ERROR_DISPLAY], code).toEqual({ zh: e?.zh, en: e?.en });
    }
    for (const [code, text] of Object.entries(REASONS)) {
      expect(text, code).toEqual({ zh: CODE_CATALOGUE.reasons[code]?.zh, en: CODE_CATALOGUE.reasons[code]?.en });
      expect(Object.keys(text).sort(), `${code}: a reason on the wire carries its texts only`).toEqual(['en', 'zh']);
    }
    expect([...NOT_FOR_THIS_MEMBER].sort()).toEqual(
      ['NOT_BIRTHDAY_MONTH', 'NOT_INACTIVE_LONG_ENOUGH', 'SEGMENT_NOT_ELIGIBLE', 'TIER_NOT_ELIGIBLE'].sort(),
    );
    const result = (r: Partial<RedemptionResult>): RedemptionResult => ({
      redemptionId: 'r-1',
      txnId: 't-1',
      status: 'declined',
      state: 'declined',
      subtotalFen: 500,
      savingFen: 0,
      payableFen: 500,
      paidBy: 'none',
      pointsCost: 0,
      pointsEarned: 0,
      applied: [],
      notApplied: [],
      ...r,
    });
    for (const code of [
      'INSUFFICIENT_FUNDS',
      'LOW_TRUST_LIMIT',
      'NOTHING_TO_PAY_FOR',
      'COUPON_NOT_APPLICABLE',
    ] as const)
      expect(decided('redeem', result({ declineCode: code })).display, code).toEqual({
        zh: DECLINES[code].zh,
        en: DECLINES[code].en,
      });
    const voided = decided('authorize', result({ status: 'approved', state: 'voided' }));
    expect(voided).toMatchObject({
      declineCode: 'VOIDED',
      display: { zh: DECLINES.VOIDED.zh, en: DECLINES.VOIDED.en },
    });
  });

  it('reads a code with a detail as its head with the detail', () => {
    expect(describeCode('health', 'DEVICE_FAULT:E_COIN_JAM')).toEqual({
      zh: '设备报告故障：E_COIN_JAM',
      en: 'The device reports a fault: E_COIN_JAM',
    });
    expect(describeCode('access', 'RULE:r-7')?.en).toBe('Opened by an access rule: r-7');
    expect(describeCode('declines', 'LOCKER_FULL')).toEqual({
      zh: DECLINES.LOCKER_FULL.zh,
      en: DECLINES.LOCKER_FULL.en,
    });
    expect(describeCode('declines', 'NO_SUCH_CODE')).toBeUndefined();
    expect(describeCode('declines', 'constructor')).toBeUndefined();
  });
});

describe('PROTOCOL.md lists every code a device can see', () => {
  /** From a clause's definition (bold, not a mention) to the next clause's. */
  const clause = (from: string, to: string) => {
    const at = doc.indexOf(`**[${from}]`);
    expect(at, from).toBeGreaterThan(0);
    return doc.slice(at, doc.indexOf(`**[${to}]`, at + 1));
  };
  const mentions = (text: string, code: string) => new RegExp(`\`${code}[\`:]`).test(text);
  const rows = (text: string) =>
    [...text.matchAll(/^\| `([A-Z][A-Z0-9_]*)(?::[^`]*)?` \|/gm)].map((m) => m[1] as string);

  const WHERE: Record<CodeFamily, [string, string][]> = {
    errors: [['FWP-6.2', 'FWP-7.1']],
    declines: [['FWP-11.3', 'FWP-11.4']],
    refusals: [['FWP-11.3', 'FWP-11.4']],
    reasons: [['FWP-11.3', 'FWP-11.4']],
    access: [
      ['FWP-11.3', 'FWP-11.4'],
      ['FWP-11.6', 'FWP-11.7'],
    ],
    health: [['FWP-10.2', 'FWP-10.3']],
  };

  for (const family of CODE_FAMILIES) {
    it(`lists every ${family} code on the wire in ${WHERE[family].map(([c]) => c).join(' and ')}`, () => {
      for (const [from, to] of WHERE[family]) {
        const text = clause(from, to);
        const missing = wireCodes(family).filter((code) => !mentions(text, code));
        expect(missing, `${family} codes missing from [${from}]`).toEqual([]);
      }
    });
  }

  it('lists no code in its tables that the catalogue lacks', () => {
    const health = rows(clause('FWP-10.2', 'FWP-10.3'));
    expect(health.length).toBeGreaterThan(20);
    for (const code of health) expect(CODE_CATALOGUE.health, code).toHaveProperty(code);
    const redemption = rows(clause('FWP-11.3', 'FWP-11.4'));
    expect(redemption.length).toBeGreaterThan(40);
    const families = ['declines', 'access', 'refusals', 'reasons'] as const;
    for (const code of redemption)
      expect(
        families.some((f) => Object.hasOwn(CODE_CATALOGUE[f], code)),
        code,
      ).toBe(true);
  });
});
