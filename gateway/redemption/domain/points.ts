import type { Fen } from './money.ts';
import type { Accrual } from './model.ts';

/** Points earned for paying `payableFen`: per whole yuan, times the tier's multiplier, rounded down. */
export function accruePoints(payableFen: Fen, tier: string, accrual: Accrual): number {
  const multiplier = accrual.tierMultipliers[tier] ?? 1;
  return Math.floor(Math.floor(payableFen / 100) * accrual.pointsPerYuan * multiplier);
}
