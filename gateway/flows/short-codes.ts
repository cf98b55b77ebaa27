import { randomInt } from 'node:crypto';
import { LinliError } from '../../firmware-protocol/src/errors.ts';

/**
 * A fresh short code (pickup, visitor) that is not in use, with the keyed hash it is stored by. Eight
 * random digits by default: with the keypad lock a guesser gets a few thousand tries a day, against 10⁸.
 */
export function uniqueShortCode(opts: {
  hash(code: string): string;
  inUse(hash: string): boolean;
  newCode?: (() => string) | undefined;
  what: string;
}): { code: string; hash: string } {
  for (let i = 0; i < 50; i++) {
    const code = opts.newCode ? opts.newCode() : String(randomInt(0, 100_000_000)).padStart(8, '0');
    const hash = opts.hash(code);
    if (!opts.inUse(hash)) return { code, hash };
  }
  throw new LinliError('INTERNAL_ERROR', `could not find an unused ${opts.what}`);
}
