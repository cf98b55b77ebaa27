import * as z from 'zod';
import { EpochMsSchema, EpochSchema } from './common.ts';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash in lowercase hex');
const ChainPoint = z.object({ seq: z.number().int().positive(), hash: Sha256Hex }).strict();

/**
 * [CLP-4.12] `ledger.anchor`: the tip of the box's hash-chained ledger, sent periodically, with the entry the
 * previous anchor named as this box's chain holds it now. The cloud keeps every anchor it received from a
 * gateway: a `previous` (or a `tip`) whose hash differs from what it holds for that seq means the chain was
 * rewritten on the box, even when the rewritten chain is consistent in itself. No member or amount: hashes only.
 */
export const LedgerAnchorSchema = z
  .object({
    tip: ChainPoint,
    /**
     * The entry the previous anchor named, as the chain holds it now; `epoch` is the one that anchor was sent
     * in (a restored box's chain legitimately differs after its backup, so the cloud compares within it).
     * Absent for a database's first anchor; `hash` is null when that entry no longer exists on the box.
     */
    previous: z
      .object({ seq: z.number().int().positive(), hash: Sha256Hex.nullable(), epoch: EpochSchema })
      .strict()
      .optional(),
    /** Entries in the chain (the tip's seq on an intact chain). */
    entries: z.number().int().nonnegative(),
    at: EpochMsSchema,
  })
  .strict();
export type LedgerAnchor = z.infer<typeof LedgerAnchorSchema>;
