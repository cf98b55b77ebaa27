import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { OutboxRepo } from '../cloud/outbox-repo.ts';
import type { Config } from '../config/schema.ts';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { ErasureRefusedError } from '../privacy/member-erasure.ts';
import { UnknownMemberError } from '../privacy/member-export.ts';
import { createPrivacy, type Privacy } from '../privacy/privacy-module.ts';
import { ImmediateWriter } from '../store/immediate-writer.ts';
import type { Store } from '../store/store.ts';
import { print, withDataOptions, withStore, type CommonOptions } from './common.ts';
import { UserError } from './user-error.ts';

/** Who did it, as the erasure record and the log name a person at the box's terminal. */
const cliUser = () => {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
};

/**
 * A member's data beside a running gateway or not: the erasure in one IMMEDIATE transaction, its cloud event
 * in the outbox the gateway sends (with cloud sync on); the log line on stderr (the journal, under systemd).
 */
function privacyOn(store: Store, config: Config): Privacy {
  return createPrivacy({
    db: store.db,
    reader: store.reader,
    writer: new ImmediateWriter(store.db),
    outbox: config.cloud.enabled ? new OutboxRepo(store.db, config.gateway.id, () => systemClock.now()) : undefined,
    clock: systemClock,
    log: createLogger({ level: 'info', destination: process.stderr }).child({ component: 'privacy' }),
    config: config.privacy,
  });
}

const asUserError = (err: unknown): unknown =>
  err instanceof UnknownMemberError || err instanceof ErasureRefusedError ? new UserError(err.message) : err;

/** `linli member export|erase <id>`: a member's data on request (PIPL art. 45 and 47). */
export function memberCommand(): Command {
  const cmd = new Command('member').description("a member's personal data: export it, or erase it on request (PIPL)");
  cmd.addCommand(
    withDataOptions(
      new Command('export')
        .description('everything this gateway holds about a member, as JSON (no card secrets)')
        .argument('<id>', 'member id')
        .option('-o, --out <file>', 'write to this file (0600) instead of standard output'),
    ).action(async (id: string, opts: CommonOptions & { out?: string }) => {
      await withStore(opts, (store, config) => {
        let doc: unknown;
        try {
          doc = privacyOn(store, config).exportMember(id, cliUser());
        } catch (err) {
          throw asUserError(err);
        }
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        if (opts.out) {
          writeFileSync(opts.out, text, { mode: 0o600 });
          print(opts, { memberId: id, file: opts.out }, `member ${id}: exported to ${opts.out}`);
        } else process.stdout.write(text);
      });
    }),
  );
  cmd.addCommand(
    withDataOptions(
      new Command('erase')
        .description(
          'erase a member on request: cards, rules, codes, parcels and orders deleted; money records kept ' +
            'under a pseudonym; the cloud told (member.erased). Refused while stored value or a parcel is theirs',
        )
        .argument('<id>', 'member id')
        .option('--yes-erase <id>', 'confirm by repeating the member id: nothing is erased without it'),
    ).action(async (id: string, opts: CommonOptions & { yesErase?: string }) => {
      if (opts.yesErase !== id)
        throw new UserError(
          `erasing member ${id} cannot be undone: repeat the id to confirm ` +
            `(linli member erase ${id} --yes-erase ${id})`,
        );
      await withStore(opts, async (store, config) => {
        try {
          const r = await privacyOn(store, config).eraseMember(id, cliUser());
          const what = Object.entries(r.removed)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ');
          print(opts, r, `member ${id} erased; records kept as ${r.pseudonym} (${what})`);
        } catch (err) {
          throw asUserError(err);
        }
      });
    }),
  );
  return cmd;
}
