import type { OutboxPort } from '../cloud/outbox-port.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { LedgerPort, WriterPort } from '../redemption/service/ports.ts';
import type { Db, ReadDb } from '../store/db-type.ts';
import { DailyClose } from './daily-close.ts';
import { type Liability, liabilityReport } from './liability.ts';
import type { PrepaidConfig } from './prepaid-config.ts';
import { PrepaidRefunds } from './refunds.ts';

/** The prepaid stored-value rules a running gateway (or a CLI command) offers: refunds, liability, 日结. */
export interface Prepaid {
  refunds: PrepaidRefunds;
  closes: DailyClose;
  liability(): Liability;
  /** Closes what is due now, then every `closeCheckS`: the first look after local midnight closes the day. */
  start(): void;
  stop(): Promise<void>;
}

export function createPrepaid(d: {
  db: Db;
  reader: ReadDb;
  ledger: LedgerPort;
  writer: WriterPort;
  outbox: OutboxPort | undefined;
  clock: Clock;
  log: Logger;
  timezone: string;
  config: PrepaidConfig;
}): Prepaid {
  const member = d.db.prepare<[string], { n: number }>('SELECT 1 AS n FROM members WHERE id = ?');
  const refunds = new PrepaidRefunds(d.db, {
    ledger: d.ledger,
    writer: d.writer,
    outbox: d.outbox,
    now: () => d.clock.now(),
    memberExists: (id) => member.get(id) !== undefined,
  });
  const closes = new DailyClose(d.db, {
    timezone: d.timezone,
    writer: d.writer,
    outbox: d.outbox,
    now: () => d.clock.now(),
  });
  let stopTimer: (() => void) | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const closeDue = () => {
    running = closes
      .closeDue()
      .then((written) => {
        if (written.length > 0)
          d.log.info({ closes: written.length, days: [...new Set(written.map((c) => c.day))] }, 'daily close (日结)');
      })
      .catch((err: unknown) => d.log.error({ err }, 'daily close failed; the next check tries again'));
  };
  return {
    refunds,
    closes,
    liability: () => liabilityReport(d.reader, d.clock.now()),
    start() {
      closeDue();
      stopTimer = d.clock.every(d.config.closeCheckS * 1000, closeDue);
    },
    async stop() {
      stopTimer?.();
      await running;
    },
  };
}
