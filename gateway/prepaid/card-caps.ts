import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { Db } from '../store/db-type.ts';
import type { PrepaidConfig } from './prepaid-config.ts';

export type CardType = 'registered' | 'anonymous';

/** Why a top-up was refused: what the cloud needs to refund the payer [CLP-4.14]. */
export interface CapRefusal {
  reason: 'PREPAID_CAP_EXCEEDED';
  memberId: string;
  amountFen: number;
  balanceFen: number;
  capFen: number;
  cardType: CardType;
}

/**
 * The stored-value caps of 《单用途商业预付卡管理办法》: a wallet may not hold more than its card type's cap
 * after a top-up. The card type is the member's (members.card_type, from their cloud document or fixture);
 * a member without one, or unknown here, is anonymous: the lower cap is the safe reading.
 */
export class CardCaps {
  private readonly s;
  constructor(
    db: Db,
    private readonly caps: PrepaidConfig['caps'],
  ) {
    this.s = {
      type: db.prepare<[string], { card_type: string | null }>('SELECT card_type FROM members WHERE id = ?'),
    };
  }

  cardType(memberId: string): CardType {
    return this.s.type.get(memberId)?.card_type === 'registered' ? 'registered' : 'anonymous';
  }

  capOf(type: CardType): number {
    return type === 'registered' ? this.caps.registeredFen : this.caps.anonymousFen;
  }

  /** The refusal when crediting `amountFen` onto `balanceFen` would pass the cap (reaching it is fine). */
  check(memberId: string, amountFen: number, balanceFen: number): CapRefusal | undefined {
    if (amountFen <= 0) return undefined;
    const cardType = this.cardType(memberId);
    const capFen = this.capOf(cardType);
    if (balanceFen + amountFen <= capFen) return undefined;
    return { reason: 'PREPAID_CAP_EXCEEDED', memberId, amountFen, balanceFen, capFen, cardType };
  }
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/** The refusal as an error: what a path that cannot record a refusal (a fixture load) stops with. */
export function capError(r: CapRefusal): LinliError {
  return new LinliError(
    'PREPAID_CAP_EXCEEDED',
    `member ${r.memberId}: a top-up of ${yuan(r.amountFen)} onto ${yuan(r.balanceFen)} would pass the ` +
      `${r.cardType} card cap of ${yuan(r.capFen)}; nothing was credited`,
    { ...r },
  );
}
