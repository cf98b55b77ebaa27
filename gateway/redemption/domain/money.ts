/**
 * Money is integer fen (1 yuan = 100 fen) everywhere: no floating point ever touches an amount.
 * Percentages are whole percent; a discount rounds down, so the member never gets a fraction of a fen
 * the merchant did not agree to give.
 */
export type Fen = number;

/** `percent`% of `amount`, rounded down to the fen. */
export function percentOf(amount: Fen, percent: number): Fen {
  return Math.floor((amount * percent) / 100);
}

/** "12.34" for 1234 fen; for messages only, never for arithmetic. */
export function formatYuan(fen: Fen): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
