/**
 * The shapes of the code catalogue. A leaf: it imports nothing, so a kind's `codes.ts`, the protocol's
 * base files and the gateway can all use it without an import cycle.
 */

/** Text for people, in Chinese and English: a resident's screen or staff's dashboard. */
export interface CodeText {
  readonly zh: string;
  readonly en: string;
}

/**
 * One code of a family. `wire`: a device can receive it (an error, a decline, a refusal, a reason) or an
 * integration reads it in a device's retained state [FWP-10.2]; PROTOCOL.md lists every such code.
 */
export interface CodeEntry extends CodeText {
  readonly wire: boolean;
}

export type CodeTable = Readonly<Record<string, CodeEntry>>;

/** The families of codes the outside world sees, one file each under catalogue/. */
export const CODE_FAMILIES = ['errors', 'declines', 'reasons', 'refusals', 'access', 'health'] as const;
export type CodeFamily = (typeof CODE_FAMILIES)[number];

/**
 * The codes a device kind's own folder emits (its health rules, its flows), declared in a leaf
 * `devices/<kind>/codes.ts` next to the rules and merged into the catalogue's families.
 */
export interface KindCodes {
  readonly declines?: CodeTable;
  readonly refusals?: CodeTable;
  readonly access?: CodeTable;
  readonly health?: CodeTable;
}

/** Only the texts of an entry: a `display` or a `reason` on the wire carries nothing else. */
export function textOf(e: CodeText): CodeText {
  return { zh: e.zh, en: e.en };
}

/** The texts of a whole table, keyed as it is. */
export function textsOf<K extends string>(table: Readonly<Record<K, CodeText>>): Readonly<Record<K, CodeText>> {
  return Object.fromEntries(Object.entries<CodeText>(table).map(([code, e]) => [code, textOf(e)])) as Record<
    K,
    CodeText
  >;
}
