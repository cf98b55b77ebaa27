import * as z from 'zod';

const Fen = z.number().int().nonnegative();

/**
 * Config section `prepaid`: the stored-value caps per card type (《单用途商业预付卡管理办法》 art. 18: a
 * registered card at most ¥5,000, an anonymous one at most ¥1,000), and when the daily close runs.
 */
export const PrepaidConfigSchema = z
  .object({
    caps: z
      .object({
        /** 实名 (registered) cards: the most stored value a member's wallet may hold after a top-up, in fen. */
        registeredFen: Fen.max(500_000).default(500_000),
        /** 不记名 (anonymous) cards, and members whose document does not say: in fen. */
        anonymousFen: Fen.max(100_000).default(100_000),
      })
      .strict()
      .prefault({}),
    /** How often the gateway looks for a local day not closed yet (日结 runs at the first look after midnight). */
    closeCheckS: z.number().int().min(10).max(3600).default(60),
  })
  .strict()
  .refine((p) => p.caps.anonymousFen <= p.caps.registeredFen, {
    message: 'prepaid.caps.anonymousFen must not exceed prepaid.caps.registeredFen',
    path: ['caps', 'anonymousFen'],
  });
export type PrepaidConfig = z.infer<typeof PrepaidConfigSchema>;
