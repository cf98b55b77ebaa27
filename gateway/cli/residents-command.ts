import { Command, InvalidArgumentError } from 'commander';
import { demoFixture } from '../redemption/demo-fixture.ts';
import { formatYuan } from '../redemption/domain/money.ts';

interface ResidentsOptions {
  limit: number;
  member?: string;
  json?: boolean;
}

const CARD = {
  uid: (c: { uid?: string }) => `plain card ${c.uid ?? ''} (capped: a UID can be cloned)`,
  sun: () => 'secure card (NTAG 424 DNA): tapped by the simulator, a new code every tap',
  qr: () => 'member QR code on the phone: shown to scanners by the simulator, a new code every 30 s',
} as const;

/**
 * `linli residents`: who lives in the demo community, so a newcomer can follow a purchase in the logs
 * and the dashboard, or try a plain card at the desk (`POST /api/v1/members/lookup`). The fixture is
 * deterministic: the same members, cards and opening balances as the demo loads.
 */
export function residentsCommand(): Command {
  return new Command('residents')
    .description(
      "the demo community's residents: member id, tier, opening balance, card and coupons (what `linli demo` loads)",
    )
    .option(
      '--limit <n>',
      'how many to list (1-300)',
      (v: string) => {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 1 || n > 300) throw new InvalidArgumentError('expected a whole number 1-300');
        return n;
      },
      12,
    )
    .option('--member <id>', 'only this member, e.g. m-0003')
    .option('--json', 'print machine-readable JSON')
    .action((opts: ResidentsOptions) => {
      const fixture = demoFixture();
      const members = (fixture.members ?? [])
        .filter((m) => opts.member === undefined || m.id === opts.member)
        .slice(0, opts.member ? 1 : opts.limit);
      const lost = new Set((fixture.hotlist ?? []).map((c) => JSON.stringify(c)));
      const rows = members.map((m) => ({
        memberId: m.id,
        tier: m.tier ?? 'regular',
        walletFen: m.walletFen ?? 0,
        points: m.points ?? 0,
        cards: (m.cards ?? []).map((c) => ({ ...c, lost: lost.has(JSON.stringify(c)) })),
        benefits: (m.benefits ?? []).map((b) => b.campaignId),
      }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      const lines = rows.map((r) => {
        const cards = r.cards
          .map((c) => `${CARD[c.type]('uid' in c ? c : {})}${c.lost ? ' — reported LOST (on the hotlist)' : ''}`)
          .join('; ');
        return (
          `${r.memberId}  ${r.tier.padEnd(7)}  ¥${formatYuan(r.walletFen).padStart(7)}  ` +
          `${String(r.points).padStart(5)} pts  ${cards}` +
          `${r.benefits.length ? `\n          coupons and cards: ${r.benefits.join(', ')}` : ''}`
        );
      });
      process.stdout.write(
        `${lines.join('\n')}\n` +
          (opts.member
            ? ''
            : `(${rows.length} of ${fixture.members?.length ?? 0}; --limit N for more, --member ID for one)\n`),
      );
    });
}
