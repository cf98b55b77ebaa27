import { ACCESS } from './access.ts';
import { DECLINES } from './declines.ts';
import { ERRORS } from './errors.ts';
import { HEALTH } from './health.ts';
import { BOX_CODES, KIND_CODES } from './kinds.ts';
import { REASON_CODES } from './reasons.ts';
import { REFUSALS } from './refusals.ts';
import { type CodeEntry, type CodeFamily, type CodeTable, type CodeText, type KindCodes, textOf } from './text.ts';

export { ACCESS } from './access.ts';
export { DECLINES, type DeclineCode } from './declines.ts';
export { ERRORS } from './errors.ts';
export { HEALTH } from './health.ts';
export { BOX_CODES, KIND_CODES } from './kinds.ts';
export { REASON_CODES } from './reasons.ts';
export { REFUSALS, type RefusalCode } from './refusals.ts';
export * from './text.ts';

const OWNERS: readonly (readonly [string, KindCodes])[] = [...Object.entries(KIND_CODES), ['box', BOX_CODES]];

/** A base family with the kinds' own codes of it; a code declared twice is a programming error, refused loudly. */
function merged(family: Exclude<CodeFamily, 'errors' | 'reasons'>, base: CodeTable): CodeTable {
  const out: Record<string, CodeEntry> = { ...base };
  for (const [owner, codes] of OWNERS) {
    for (const [code, entry] of Object.entries(codes[family] ?? {})) {
      if (Object.hasOwn(out, code)) throw new Error(`the ${family} code ${code} is declared twice (again by ${owner})`);
      out[code] = entry;
    }
  }
  return Object.freeze(out);
}

/**
 * The one catalogue of every code the outside world sees — devices, residents' screens, staff's
 * dashboard, integrations and the cloud — by family, each code with its Chinese and English text.
 * PROTOCOL.md lists every `wire` code; test/protocol/catalogue.test.ts keeps the code base, this
 * catalogue and the document in step.
 */
export const CODE_CATALOGUE: Readonly<Record<CodeFamily, CodeTable>> = Object.freeze({
  errors: ERRORS,
  declines: merged('declines', DECLINES),
  reasons: REASON_CODES,
  refusals: merged('refusals', REFUSALS),
  access: merged('access', ACCESS),
  health: merged('health', HEALTH),
});

/**
 * The texts of a code, for people. A code with a detail after a colon (`DEVICE_FAULT:E_COIN_JAM`,
 * `RULE:r-12`) reads as its head's text with the detail; undefined for a code the family lacks.
 */
export function describe(family: CodeFamily, code: string): CodeText | undefined {
  const table = CODE_CATALOGUE[family];
  const exact = Object.hasOwn(table, code) ? table[code] : undefined;
  if (exact) return textOf(exact);
  const at = code.indexOf(':');
  const head = at > 0 && Object.hasOwn(table, code.slice(0, at)) ? table[code.slice(0, at)] : undefined;
  if (!head) return undefined;
  const detail = code.slice(at + 1);
  return { zh: `${head.zh}：${detail}`, en: `${head.en}: ${detail}` };
}

/** The codes of a family a device (or an integration on a device's state) can receive [FWP-10.2]. */
export function wireCodes(family: CodeFamily): string[] {
  return Object.entries(CODE_CATALOGUE[family])
    .filter(([, e]) => e.wire)
    .map(([code]) => code);
}
