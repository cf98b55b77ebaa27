import { Command, InvalidArgumentError } from 'commander';
import { OutboxRepo } from '../cloud/outbox-repo.ts';
import type { Config } from '../config/schema.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/log.ts';
import { CappedLedger } from '../prepaid/capped-ledger.ts';
import { CardCaps } from '../prepaid/card-caps.ts';
import { LIABILITY_CSV, liabilityLines } from '../prepaid/liability.ts';
import { createPrepaid, type Prepaid } from '../prepaid/prepaid-module.ts';
import { toCsv } from '../reports/csv.ts';
import { ImmediateWriter } from '../store/immediate-writer.ts';
import type { Store } from '../store/store.ts';
import { print, withDataOptions, withStore, type CommonOptions } from './common.ts';

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

function parseFen(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a whole number of fen, at least 1 (¥12.50 is 1250)');
  return n;
}

/**
 * The prepaid rules on the data folder, beside a running gateway or not: each write in its own IMMEDIATE
 * transaction, and its cloud event in the outbox the running gateway sends (when cloud sync is on).
 */
function prepaidOn(store: Store, config: Config): Prepaid {
  const now = () => systemClock.now();
  return createPrepaid({
    db: store.db,
    reader: store.reader,
    ledger: new CappedLedger(store.db, new CardCaps(store.db, config.prepaid.caps)),
    writer: new ImmediateWriter(store.db),
    outbox: config.cloud.enabled ? new OutboxRepo(store.db, config.gateway.id, now) : undefined,
    clock: systemClock,
    log: silentLogger(),
    timezone: config.gateway.timezone,
    config: config.prepaid,
  });
}

/** `linli prepaid refund|liability|close`: stored value under 《单用途商业预付卡管理办法》 (gateway/prepaid). */
export function prepaidCommand(): Command {
  const cmd = new Command('prepaid').description(
    'prepaid stored value: balance refunds, the outstanding liability, the daily close (日结)',
  );
  cmd.addCommand(
    withDataOptions(
      new Command('refund')
        .description("refund a member's stored value (whole balance, or --amount), once per --key")
        .argument('<member>', 'member id')
        .requiredOption('--key <key>', 'idempotency key: the same key again answers the first refund, moves nothing')
        .option('--amount <fen>', 'fen to refund (default: the whole balance)', parseFen)
        .option('--note <text>', 'why (kept with the refund)'),
    ).action(async (member: string, opts: CommonOptions & { key: string; amount?: number; note?: string }) => {
      await withStore(opts, async (store, config) => {
        const r = await prepaidOn(store, config).refunds.refund({
          memberId: member,
          idempotencyKey: opts.key,
          amountFen: opts.amount,
          note: opts.note,
          requestedBy: `cli:${process.env.USER ?? 'unknown'}`,
        });
        print(
          opts,
          r,
          `${r.created ? 'refunded' : 'already refunded (same key)'} ${yuan(r.amountFen)} to ${r.memberId} ` +
            `(${r.refundId}); balance now ${yuan(r.balanceAfterFen)}`,
        );
      });
    }),
  );
  cmd.addCommand(
    withDataOptions(
      new Command('liability')
        .description('stored value outstanding per issuer and merchant, reconciled with the ledger')
        .option('--csv', 'CSV for Excel (UTF-8 with BOM)'),
    ).action(async (opts: CommonOptions & { csv?: boolean }) => {
      await withStore(opts, (store, config) => {
        const l = prepaidOn(store, config).liability();
        if (opts.csv) {
          process.stdout.write(toCsv(liabilityLines(l), LIABILITY_CSV));
          return;
        }
        const lines = [
          `residents' wallets ${yuan(l.residents.walletsFen)} (${l.residents.wallets} wallets), ` +
            `on hold ${yuan(l.residents.heldFen)}`,
          ...l.merchants.map((m) => `owed to ${m.merchantId}${m.name ? ` (${m.name})` : ''}: ${yuan(m.owedFen)}`),
          `refunds pending: ${yuan(l.refundsPendingFen)}`,
          ...l.issuers.map((i) => `issued from ${i.account}: ${yuan(i.issuedFen)}`),
          `outstanding ${yuan(l.totals.outstandingFen)} of ${yuan(l.totals.issuedFen)} issued: ` +
            (l.totals.reconciled ? 'reconciled with the ledger' : `NOT RECONCILED (other ${yuan(l.totals.otherFen)})`),
        ];
        print(opts, l, lines.join('\n'));
        if (!l.totals.reconciled) process.exitCode = 3;
      });
    }),
  );
  cmd.addCommand(
    withDataOptions(
      new Command('close').description(
        'close every finished local day not closed yet (the gateway does so after midnight)',
      ),
    ).action(async (opts: CommonOptions) => {
      await withStore(opts, async (store, config) => {
        const written = await prepaidOn(store, config).closes.closeDue();
        const days = [...new Set(written.map((c) => c.day))];
        print(
          opts,
          { closed: written.length, days },
          written.length === 0
            ? 'nothing to close: every finished day is closed'
            : `closed ${days.length} day(s), ${written.length} merchant close(s): ${days.join(', ')}`,
        );
      });
    }),
  );
  return cmd;
}
