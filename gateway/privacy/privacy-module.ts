import type { OutboxPort } from '../cloud/outbox-port.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { WriterPort } from '../redemption/service/ports.ts';
import type { Db, ReadDb } from '../store/db-type.ts';
import { type ErasureResult, eraseMember } from './member-erasure.ts';
import { exportMember, type MemberExport } from './member-export.ts';
import type { PrivacyConfig } from './privacy-config.ts';
import { Retention, type RetentionResult } from './retention.ts';

/** Personal information on a running gateway (or in a CLI command): retention, a member's export and erasure. */
export interface Privacy {
  /** Runs the retention sweep now (it also runs every `privacy.sweepEveryMinutes`). */
  sweep(): Promise<RetentionResult>;
  exportMember(memberId: string, by: string): MemberExport;
  eraseMember(memberId: string, by: string): Promise<ErasureResult>;
  /** A sweep at once, then every `sweepEveryMinutes` on the injected clock. */
  start(): void;
  stop(): Promise<void>;
}

export function createPrivacy(d: {
  db: Db;
  /** Exports read here: the writer's connection stays free for devices. */
  reader: ReadDb;
  writer: WriterPort;
  outbox: OutboxPort | undefined;
  clock: Clock;
  log: Logger;
  config: PrivacyConfig;
}): Privacy {
  const run = <T>(work: () => T) => d.writer.submit(work);
  const retention = new Retention({ db: d.db, run, now: () => d.clock.now(), log: d.log, config: d.config });
  let stopTimer: (() => void) | undefined;
  let current: Promise<unknown> | undefined;
  const sweep = () => {
    const s = retention.sweep();
    current = s.catch((err: unknown) => d.log.error({ err }, 'retention sweep failed'));
    return s;
  };
  return {
    sweep,
    exportMember: (memberId, by) => {
      const doc = exportMember(d.reader, memberId, d.clock.now());
      d.log.info({ member: memberId, by }, 'member data exported');
      return doc;
    },
    eraseMember: async (memberId, by) => {
      const r = await eraseMember({ db: d.db, run, outbox: d.outbox, now: () => d.clock.now() }, memberId, by);
      // the member's id appears in no log line from here on: the pseudonym stands for them
      d.log.info({ member: r.pseudonym, by, removed: r.removed }, 'member erased on request');
      return r;
    },
    start: () => {
      void sweep().catch(() => undefined);
      stopTimer = d.clock.every(d.config.sweepEveryMinutes * 60_000, () => void sweep().catch(() => undefined));
    },
    stop: async () => {
      stopTimer?.();
      await current;
    },
  };
}
