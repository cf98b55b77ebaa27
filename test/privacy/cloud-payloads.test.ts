import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { CLOUD_EVENTS } from '../../gateway/cloud/contract/events.ts';
import { rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { startGateway, type Harness } from '../support/gateway-harness.ts';

const UID = '04A2B3C4D5E6F7';
const NAME = '张三';
const PHONE = '13812341234';
const STAFF = '王经理';
const FIXTURE = FixtureSchema.parse({
  merchants: [{ id: 'cafe-01', name: 'Café' }],
  members: [
    { id: 'm-1', tier: 'regular', walletFen: 100_000, cards: [{ type: 'uid', uid: UID }] },
    { id: 'm-2', tier: 'regular', walletFen: 0 },
  ],
});

/** Field names that would carry a name, a phone, a card identifier or staff's words. */
const PERSONAL_FIELD = /name|phone|mobile|label|note|tracking|uid|card|address|idcard|staff|by$|email/i;
/**
 * Fields of that shape an event needs, each with why. Member and device ids are the platform's own
 * (pseudonymous: no name or phone stands behind them on the box), so they are not of that shape at all.
 */
const NEEDED = new Map<string, string>([
  ...['held', 'captured', 'declined', 'voided', 'expired', 'reversed'].map(
    (k) => [`redemption.${k}:paidBy`, 'own | proxy | none: who paid, not a person'] as [string, string],
  ),
  ['parcel.stored:tracking', "the resident's app says which parcel arrived: the carrier's number is how they know it"],
  ['prepaid.topup_refused:cardType', 'registered | anonymous: the card type whose cap refused it, not a card'],
]);

function fieldPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = (
    schema as unknown as {
      def: {
        type: string;
        shape?: Record<string, z.ZodType>;
        element?: z.ZodType;
        innerType?: z.ZodType;
        options?: z.ZodType[];
        valueType?: z.ZodType;
      };
    }
  ).def;
  if (def.type === 'object' && def.shape)
    return Object.entries(def.shape).flatMap(([k, v]) => [`${prefix}${k}`, ...fieldPaths(v, `${prefix}${k}.`)]);
  if (def.type === 'array' && def.element) return fieldPaths(def.element, prefix);
  if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType)
    return fieldPaths(def.innerType, prefix);
  if (def.type === 'union' && def.options) return def.options.flatMap((o) => fieldPaths(o, prefix));
  if (def.type === 'record' && def.valueType) return fieldPaths(def.valueType, `${prefix}*.`);
  return [];
}

describe('nothing personal goes to the cloud beyond what a document needs', () => {
  it('no event kind has a field for a name, a phone, a card identifier or staff words', () => {
    const found: string[] = [];
    for (const [kind, spec] of Object.entries(CLOUD_EVENTS))
      for (const path of fieldPaths(spec.schema as z.ZodType)) {
        const leaf = path.split('.').pop() ?? '';
        if (PERSONAL_FIELD.test(leaf) && !NEEDED.has(`${kind}:${path}`)) found.push(`${kind}: ${path}`);
      }
    // the walk sees the fields (not blind): every event has some, the erasure its member id
    expect(fieldPaths(CLOUD_EVENTS['member.erased'].schema)).toEqual(['memberId', 'at']);
    expect(fieldPaths(CLOUD_EVENTS['redemption.captured'].schema).length).toBeGreaterThan(5);
    expect(found.join('\n')).toBe('');
  });

  describe('every payload the outbox holds after personal details went through the gateway', () => {
    let h: Harness;
    beforeAll(async () => {
      // the cloud is not reachable: every event stays in the outbox, where this test reads it
      const key = rawPublicKey(generateKeyPairSync('ed25519').publicKey).toString('base64url');
      h = await startGateway({
        cloud: { enabled: true, url: 'mqtt://127.0.0.1:9', signingKeys: [{ kid: 'c1', publicKey: key }] },
      } as never);
      h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
    }, 30_000);
    afterAll(async () => {
      await h?.stop();
    });

    it('payments, a reversal noting the resident, a visitor code with name and phone, an erasure', async () => {
      const s = h.gw.redemption.service;
      const purchase = (amountFen: number) => ({
        merchantId: 'cafe-01',
        deviceId: 'scanner-x',
        deviceKind: 'shop_scanner' as const,
        items: [],
        amountFen,
        at: h.gw.clock.now(),
      });
      const paid = await s.redeem({ txnId: 'p-1', memberId: 'm-1', trust: 'high', purchase: purchase(500) });
      await s.reverse(paid.redemptionId, `${STAFF} (tok_1)`, `退给${NAME} ${PHONE}`);
      await s.redeem({ txnId: 'p-2', memberId: 'm-2', trust: 'high', purchase: purchase(990) });
      await s.awardPoints('m-1', 5, 'pts-1', 'activity');
      const code = await h.api('/api/v1/access/visitor-codes', {
        method: 'POST',
        body: {
          zone: 'east',
          label: `${NAME} ${PHONE}`,
          expiresAt: new Date(h.gw.clock.now() + 7_200_000).toISOString(),
        },
      });
      expect(code.status).toBeLessThan(300);
      await h.gw.anchorLedger?.();
      const erased = await h.api('/api/v1/members/m-2/erase', { method: 'POST', body: { confirm: 'm-2' } });
      expect(erased.status).toBe(200);

      const rows = h.gw.store.db.prepare('SELECT kind, payload FROM outbox ORDER BY at').all() as {
        kind: string;
        payload: string;
      }[];
      const kinds = new Set(rows.map((r) => r.kind));
      for (const k of ['redemption.captured', 'redemption.reversed', 'redemption.declined', 'points.awarded'])
        expect(kinds).toContain(k);
      expect(kinds).toContain('member.erased');
      const all = rows.map((r) => r.payload).join('\n');
      for (const personal of [UID, UID.toLowerCase(), NAME, PHONE, STAFF, 'tok_1', h.adminToken])
        expect(all, personal).not.toContain(personal);
      const erasure = rows.find((r) => r.kind === 'member.erased');
      expect(JSON.parse(erasure?.payload ?? '{}')).toEqual({ memberId: 'm-2', at: expect.any(Number) });
    });
  });
});
