import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { verifyLedger } from '../../gateway/redemption/ledger/ledger-verify.ts';
import { CAPS, type PrepaidHarness, prepaidHarness } from './prepaid-harness.ts';

type CardType = 'registered' | 'anonymous';
const CASES: [CardType | undefined, number][] = [
  ['registered', CAPS.registeredFen],
  ['anonymous', CAPS.anonymousFen],
  // a document that does not say is read as anonymous: the lower cap
  [undefined, CAPS.anonymousFen],
];
/** Where a top-up ends relative to the cap: just under, at (allowed), just over (refused whole). */
const ENDS: [string, number, boolean][] = [
  ['just under', -1, true],
  ['at', 0, true],
  ['just over', 1, false],
];
const HELD = 30_000; // what the wallet holds before the top-up

/** The stored-value caps (《单用途商业预付卡管理办法》) at every top-up path, in the transaction of the credit. */
describe('stored-value caps per card type', () => {
  let h: PrepaidHarness;
  let n = 0;
  beforeEach(() => {
    h = prepaidHarness();
  });
  afterEach(() => h.close());

  /** A member of the card type with HELD in the wallet, credited through an allowance grant. */
  const member = async (cardType: CardType | undefined) => {
    const id = `m-${++n}`;
    await h.push('catalog', { members: [{ id, tier: 'regular', ...(cardType ? { cardType } : {}) }] });
    await h.push('allowances', { grants: [{ grantId: `seed-${id}`, memberId: id, amountFen: HELD }] });
    expect(h.wallet(id)).toBe(HELD);
    return id;
  };

  for (const [cardType, cap] of CASES)
    for (const [where, offset, credited] of ENDS) {
      const label = `${cardType ?? 'unstated (anonymous)'} card, ${where} the cap of ${cap / 100} yuan`;
      const amount = cap - HELD + offset;

      it(`an allowance grant: ${label}`, async () => {
        const id = await member(cardType);
        await h.push('allowances', { grants: [{ grantId: `g-${id}`, memberId: id, amountFen: amount }] });
        expect(h.wallet(id)).toBe(credited ? HELD + amount : HELD);
        const refused = h.events('prepaid.topup_refused');
        expect(refused).toEqual(
          credited
            ? []
            : [
                expect.objectContaining({
                  grantId: `g-${id}`,
                  source: 'grant',
                  memberId: id,
                  amountFen: amount,
                  balanceFen: HELD,
                  capFen: cap,
                  cardType: cardType ?? 'anonymous',
                  reason: 'PREPAID_CAP_EXCEEDED',
                }),
              ],
        );
        // a refused grant is not credited, so the cloud hears of no credit for it
        expect(h.events('allowance.credited').some((e) => e.grantId === `g-${id}`)).toBe(credited);
      });

      it(`an online top-up: ${label}`, async () => {
        const id = await member(cardType);
        const ok = await h.docs.applyGrant({ grantId: `o-${id}`, memberId: id, amountFen: amount });
        expect(ok).toBe(credited);
        expect(h.wallet(id)).toBe(credited ? HELD + amount : HELD);
        expect(h.events('prepaid.topup_refused').map((e) => e.source)).toEqual(credited ? [] : ['online']);
      });

      it(`an opening balance (linli load): ${label}`, () => {
        const id = `load-${++n}`;
        const fixture = FixtureSchema.parse({
          merchants: [{ id: 'cafe-01', name: 'Café' }],
          members: [{ id, walletFen: cap + offset, ...(cardType ? { cardType } : {}) }],
        });
        const load = () => loadInto(h.store, h.tmp.dir, fixture, CAPS);
        if (credited) {
          load();
          expect(h.wallet(id)).toBe(cap + offset);
        } else {
          let err: unknown;
          try {
            load();
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(LinliError);
          expect((err as LinliError).code).toBe('PREPAID_CAP_EXCEEDED');
          expect((err as LinliError).message).toContain(id);
          // refused whole: the load is all or nothing, so not even the member or the merchant is there
          expect(h.catalog.member(id)).toBeUndefined();
          expect(h.wallet(id)).toBe(0);
        }
        expect(verifyLedger(h.store.db).ok).toBe(true);
      });
    }

  it('a refused grant stays refused: redelivered, or again after the wallet emptied, never credited', async () => {
    const id = await member('anonymous');
    const grant = { grantId: `g-${id}`, memberId: id, amountFen: CAPS.anonymousFen };
    await h.push('allowances', { grants: [grant] });
    expect(h.wallet(id)).toBe(HELD);
    // the wallet empties (a refund): the same grant would now fit, and still is not credited
    await h.prepaid.refunds.refund({ memberId: id, idempotencyKey: 'k-empty', requestedBy: 'test' });
    await h.push('allowances', { grants: [grant] });
    expect(await h.docs.applyGrant(grant)).toBe(false);
    expect(h.wallet(id)).toBe(0);
    expect(h.events('prepaid.topup_refused')).toHaveLength(1);
    // a new grant (a new id) for what fits is credited
    await h.push('allowances', { grants: [{ ...grant, grantId: `g2-${id}` }] });
    expect(h.wallet(id)).toBe(CAPS.anonymousFen);
    expect(verifyLedger(h.store.db).ok).toBe(true);
  });

  it('a card made registered by a later document takes the higher cap; made anonymous again, the lower', async () => {
    const id = await member('anonymous');
    const over = CAPS.anonymousFen - HELD + 1;
    expect(await h.docs.applyGrant({ grantId: 'a1', memberId: id, amountFen: over })).toBe(false);
    await h.push('catalog', { members: [{ id, cardType: 'registered' }] });
    expect(await h.docs.applyGrant({ grantId: 'a2', memberId: id, amountFen: over })).toBe(true);
    await h.push('catalog', { members: [{ id }] });
    expect(await h.docs.applyGrant({ grantId: 'a3', memberId: id, amountFen: 1 })).toBe(false);
    expect(h.wallet(id)).toBe(CAPS.anonymousFen + 1);
  });

  it('config: caps above the law are refused with the exact path; an office may set lower ones', async () => {
    const { PrepaidConfigSchema } = await import('../../gateway/prepaid/prepaid-config.ts');
    const r = PrepaidConfigSchema.safeParse({ caps: { anonymousFen: 100_001 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['caps', 'anonymousFen']);
    expect(PrepaidConfigSchema.safeParse({ caps: { registeredFen: 50_000, anonymousFen: 60_000 } }).success).toBe(
      false,
    );
    expect(PrepaidConfigSchema.parse({ caps: { registeredFen: 200_000 } }).caps).toEqual({
      registeredFen: 200_000,
      anonymousFen: 100_000,
    });
  });
});
