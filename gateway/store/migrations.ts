import { LEDGER_SQL } from '../redemption/ledger/ledger-sql.ts';
import { REDEMPTION_SQL, REDEMPTION_SQL_V14 } from '../redemption/store/redemption-sql.ts';
import { FLOWS_SQL, FLOWS_SQL_V14 } from '../flows/store/flows-sql.ts';
import { OUTBOX_SQL } from '../cloud/outbox-sql.ts';
import { RESTORE_SQL } from '../cloud/restore-sql.ts';
import { ANSWERS_SQL } from '../redemption/device/answers-sql.ts';
import { ALERTS_SQL } from '../alerts/alerts-sql.ts';
import { LOGIN_LINKS_SQL } from './token-repo.ts';
import { TELEMETRY_SAMPLES_SQL } from '../health/telemetry-sql.ts';
import { REPORT_ROLLUPS_SQL } from '../reports/report-rollups-sql.ts';
import { LEDGER_ANCHORS_SQL } from '../cloud/ledger-anchors.ts';
import { PRIVACY_SQL, rehashLedger } from '../privacy/privacy-sql.ts';
import type { Db } from './db-type.ts';
import { PREPAID_SQL } from '../prepaid/prepaid-sql.ts';

/**
 * Versioned schema migrations; each runs once, in order, inside
 * a transaction. Never edit a released one: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Rebuilds tables others refer to: foreign keys are off while it runs, and these tables' references
   * are checked before it commits.
   */
  foreignKeyCheck?: readonly string[];
  /** Work SQL alone cannot do (hashing), after `sql`, in the same transaction. */
  run?: (db: Db) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'devices, staff tokens, device health',
    sql: `
      CREATE TABLE devices (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        name          TEXT,
        secret_hash   TEXT NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0,
        capabilities  TEXT NOT NULL,
        firmware      TEXT,
        created_at    INTEGER NOT NULL,
        secret_rotated_at INTEGER NOT NULL,
        last_seen_at  INTEGER
      ) STRICT;

      CREATE TABLE staff_tokens (
        id          TEXT PRIMARY KEY,
        token_hash  TEXT NOT NULL UNIQUE,
        role        TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        label       TEXT,
        created_at  INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at  INTEGER
      ) STRICT;

      CREATE TABLE device_health (
        device_id   TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        status      TEXT NOT NULL,
        reasons     TEXT NOT NULL,
        telemetry   TEXT,
        updated_at  INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE health_history (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id   TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        at          INTEGER NOT NULL,
        status      TEXT NOT NULL,
        reasons     TEXT NOT NULL,
        event       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX health_history_device ON health_history(device_id, seq);
    `,
  },
  {
    version: 2,
    name: 'members, card credentials (keyed hashes only), campaigns, issued benefits, family proxy payment',
    sql: `
      CREATE TABLE members (
        id               TEXT PRIMARY KEY,
        tier             TEXT NOT NULL,
        birthday_month   INTEGER,
        last_active_date TEXT,
        family_group_id  TEXT,
        segments         TEXT NOT NULL DEFAULT '[]',
        updated_at       INTEGER NOT NULL
      ) STRICT;

      -- lookup_key is HMAC-SHA256(pepper, card identifier): a stolen database does not reveal card UIDs.
      CREATE TABLE credentials (
        lookup_key   TEXT PRIMARY KEY,
        member_id    TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        type         TEXT NOT NULL CHECK (type IN ('uid', 'sun', 'qr')),
        status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
        last_counter INTEGER,
        created_at   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX credentials_member ON credentials(member_id);

      CREATE TABLE campaigns (
        id         TEXT PRIMARY KEY,
        doc        TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE benefit_instances (
        id          TEXT PRIMARY KEY,
        campaign_id TEXT NOT NULL REFERENCES campaigns(id),
        member_id   TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        issued_at   INTEGER NOT NULL,
        expires_at  INTEGER,
        uses_left   INTEGER,
        status      TEXT NOT NULL CHECK (status IN ('active', 'used', 'expired', 'revoked'))
      ) STRICT;
      CREATE INDEX benefit_instances_member ON benefit_instances(member_id);

      CREATE TABLE family_proxies (
        member_id    TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        payer_id     TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        per_txn_fen  INTEGER NOT NULL CHECK (per_txn_fen >= 0),
        per_day_fen  INTEGER NOT NULL CHECK (per_day_fen >= 0),
        per_month_fen INTEGER NOT NULL CHECK (per_month_fen >= 0),
        PRIMARY KEY (member_id, payer_id)
      ) STRICT;

      CREATE TABLE merchants (
        id   TEXT PRIMARY KEY,
        name TEXT NOT NULL
      ) STRICT;
    `,
  },
  { version: 3, name: 'redemptions, usage counters, applied benefits', sql: REDEMPTION_SQL },
  { version: 4, name: 'hash-chained append-only ledger and balances', sql: LEDGER_SQL },
  // The shop a scanner sells for is set by staff, never by the device's own birth message.
  { version: 5, name: 'devices bound to a merchant', sql: 'ALTER TABLE devices ADD COLUMN merchant_id TEXT' },
  { version: 6, name: 'parcels, group buys, door access, activity check-ins', sql: FLOWS_SQL },
  // A shop's own token: it reads and reverses that shop's redemptions and nothing else.
  {
    version: 7,
    name: 'staff tokens scoped to one merchant',
    sql: 'ALTER TABLE staff_tokens ADD COLUMN merchant_id TEXT',
  },
  {
    version: 8,
    name: 'coupon codes (keyed hashes) for scanning one coupon',
    sql: `CREATE TABLE coupon_codes (
      code_hash   TEXT PRIMARY KEY,
      instance_id TEXT NOT NULL REFERENCES benefit_instances(id) ON DELETE CASCADE,
      created_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX coupon_codes_instance ON coupon_codes(instance_id);`,
  },
  { version: 9, name: 'transactional outbox to the cloud', sql: OUTBOX_SQL },
  {
    version: 10,
    name: 'versions of the documents the cloud keeps in step; the cloud hotlist',
    sql: `CREATE TABLE cloud_docs (
      doc        TEXT PRIMARY KEY,
      version    INTEGER NOT NULL,
      issued_at  INTEGER NOT NULL,
      applied_at INTEGER NOT NULL
    ) STRICT;
    -- cards the cloud hotlisted, by lookup key; checked at every identification, known card or not
    CREATE TABLE hotlist (
      lookup_key TEXT PRIMARY KEY,
      added_at   INTEGER NOT NULL
    ) STRICT;`,
  },
  {
    version: 11,
    name: 'campaign pushes to device screens and their per-device delivery',
    sql: `CREATE TABLE rollouts (
      id         TEXT PRIMARY KEY,
      text       TEXT NOT NULL,
      kinds      TEXT NOT NULL,
      duration_s INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE rollout_targets (
      rollout_id TEXT NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
      device_id  TEXT NOT NULL,
      status     TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts   INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (rollout_id, device_id)
    ) STRICT;
    CREATE INDEX rollout_targets_pending ON rollout_targets(status);`,
  },
  // settings the cloud changed survive a restart
  {
    version: 12,
    name: 'the body of a document kept whole (settings)',
    sql: 'ALTER TABLE cloud_docs ADD COLUMN body TEXT',
  },
  {
    version: 13,
    name: 'outbox running totals, an epoch per database, the last wall time seen',
    sql: `ALTER TABLE outbox_streams ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox_streams ADD COLUMN events INTEGER NOT NULL DEFAULT 0;
    UPDATE outbox_streams
      SET bytes = (SELECT COALESCE(SUM(bytes), 0) FROM outbox o WHERE o.stream = outbox_streams.stream),
          events = (SELECT COUNT(*) FROM outbox o WHERE o.stream = outbox_streams.stream);
    -- a database restored from a backup must not reuse the event ids the cloud already has
    ALTER TABLE cloud_session ADD COLUMN epoch TEXT;
    CREATE TABLE clock_marks (
      id   INTEGER PRIMARY KEY CHECK (id = 1),
      wall INTEGER NOT NULL
    ) STRICT;`,
  },
  {
    version: 14,
    name:
      'transaction ids unique per device; reversals remember their request; ' +
      'secure-card presentations bound to their transaction',
    sql: REDEMPTION_SQL_V14 + FLOWS_SQL_V14,
    foreignKeyCheck: ['redemption_counters', 'redemption_benefits', 'parcels'],
  },
  { version: 15, name: 'the first answer to each device request, for resends', sql: ANSWERS_SQL },
  {
    version: 16,
    name: "each device kind's own schema version (its tables are the kind module's)",
    sql: 'CREATE TABLE kind_schema (kind TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT;',
  },
  {
    version: 17,
    name: 'no ledger index by account: no query reads it, and it was the most pages written per redemption',
    // Measured on a 100,000-member community: each redemption wrote 9.4 pages to the log, 2.7 of them in
    // this index (each movement went to its resident's place in it, a page of its own). Balances answer by
    // account; a statement of one account would come with an index shaped for that query.
    sql: 'DROP INDEX IF EXISTS ledger_account;',
  },
  {
    version: 18,
    name: 'merchant reports: captured redemptions by shop and Shanghai hour; captured benefits by campaign',
    // Only captured money counts in a report, and a full year (1M redemptions) must answer in 300 ms on two
    // slow cores: every report reads one covering B-tree and never the table, nor sorts a million rows
    // (SQLite's GROUP BY sorts unless an index gives the groups in order). Measured: bench/reports-bench.ts.
    // - redemptions_captured, partial: only captured rows, so holds, declines and reversals cost it nothing
    //   until they are captured; by shop, then the Shanghai hour (UTC+8, no DST), so a shop's report is one
    //   range and the community's hours come grouped per shop, ready for the heat map and the daily series;
    //   member_id lets a shop's repurchase rate find its members' first purchases without the table.
    // - redemptions_member replaced, same place in the tree, wider: the summary walks members in order
    //   (repurchase rate and totals in one pass) without reading the table (no new index per redemption).
    // - captured_benefits: a campaign report joined a million redemptions to their benefits (2.5 s); this
    //   copy, kept by triggers, holds a row per benefit of a captured redemption only, by shop and campaign
    //   (a shop's report is one range; the community's campaigns come grouped per shop, 1,500 groups).
    //   A migration that rebuilds redemptions or redemption_benefits must recreate these triggers.
    sql: `CREATE INDEX redemptions_captured
      ON redemptions(merchant_id, ((created_at + 28800000) / 3600000), created_at, device_id, member_id, payable_fen,
        saving_fen)
      WHERE state = 'captured';
    DROP INDEX IF EXISTS redemptions_member;
    CREATE INDEX redemptions_member
      ON redemptions(member_id, created_at, state, merchant_id, device_id, payable_fen, saving_fen);
    CREATE TABLE captured_benefits (
      campaign_id   TEXT NOT NULL,
      created_at    INTEGER NOT NULL,
      redemption_id TEXT NOT NULL,
      merchant_id   TEXT NOT NULL,
      device_id     TEXT,
      payable_fen   INTEGER NOT NULL,
      saving_fen    INTEGER NOT NULL,
      PRIMARY KEY (merchant_id, campaign_id, created_at, redemption_id)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO captured_benefits
      SELECT b.campaign_id, r.created_at, r.id, r.merchant_id, r.device_id, r.payable_fen, b.saving_fen
      FROM redemption_benefits b JOIN redemptions r ON r.id = b.redemption_id WHERE r.state = 'captured';
    -- a purchase captured at once stores its row first, then its benefits
    CREATE TRIGGER captured_benefits_add AFTER INSERT ON redemption_benefits
      WHEN (SELECT state FROM redemptions WHERE id = NEW.redemption_id) = 'captured'
    BEGIN
      INSERT INTO captured_benefits
        SELECT NEW.campaign_id, r.created_at, r.id, r.merchant_id, r.device_id, r.payable_fen, NEW.saving_fen
        FROM redemptions r WHERE r.id = NEW.redemption_id;
    END;
    -- a hold's benefits count from its capture
    CREATE TRIGGER captured_benefits_capture AFTER UPDATE OF state ON redemptions
      WHEN NEW.state = 'captured' AND OLD.state <> 'captured'
    BEGIN
      INSERT OR IGNORE INTO captured_benefits
        SELECT b.campaign_id, NEW.created_at, NEW.id, NEW.merchant_id, NEW.device_id, NEW.payable_fen, b.saving_fen
        FROM redemption_benefits b WHERE b.redemption_id = NEW.id;
    END;
    -- a reversal (or any way out of captured) takes them back
    CREATE TRIGGER captured_benefits_release AFTER UPDATE OF state ON redemptions
      WHEN OLD.state = 'captured' AND NEW.state <> 'captured'
    BEGIN
      DELETE FROM captured_benefits
        WHERE merchant_id = OLD.merchant_id
          AND campaign_id IN (SELECT campaign_id FROM redemption_benefits WHERE redemption_id = OLD.id)
          AND created_at = OLD.created_at AND redemption_id = OLD.id;
    END;
    CREATE TRIGGER captured_benefits_forget AFTER DELETE ON redemption_benefits
    BEGIN
      DELETE FROM captured_benefits WHERE campaign_id = OLD.campaign_id AND redemption_id = OLD.redemption_id;
    END;`,
  },
  { version: 19, name: 'alerts staff acknowledge and clear, with their history', sql: ALERTS_SQL },
  { version: 20, name: 'one-time sign-in links for the staff console', sql: LOGIN_LINKS_SQL },
  { version: 21, name: "devices' temperature and signal over the last days, sampled", sql: TELEMETRY_SAMPLES_SQL },
  { version: 22, name: "the community's reports from hourly and daily rollups", sql: REPORT_ROLLUPS_SQL },
  {
    version: 23,
    name: 'why staff reversed a redemption',
    sql: 'ALTER TABLE redemptions ADD COLUMN reversal_note TEXT;',
  },
  {
    version: 24,
    name: 'personal information: ledger accounts hashed by keyed digest, pseudonyms, access log day counts, erasures',
    sql: PRIVACY_SQL,
    run: rehashLedger,
  },
  { version: 25, name: 'prepaid stored value: card types, refunds, refused top-ups, daily closes', sql: PREPAID_SQL },
  { version: 26, name: 'outbox events keep their epoch; restores and their restore points', sql: RESTORE_SQL },
  { version: 27, name: "the ledger's tips anchored in the cloud", sql: LEDGER_ANCHORS_SQL },
];
