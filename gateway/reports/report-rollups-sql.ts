/**
 * Migration 22: the community's reports from rollups instead of a year of rows. Measured with
 * bench/reports-bench.ts (1,000,000 redemptions, a quiet 2-core box): the community's heat map and daily
 * series read ~950,000 index entries (258 and 305 ms), its benefits ~1.4 million (253 ms); a shop's reports
 * read only its range (5-100 ms). Kept by triggers in the transaction that moves the money, like
 * captured_benefits:
 * - report_hours: captured redemptions per Shanghai hour (UTC+8, no DST), 8,760 rows a year. A redemption
 *   adds to the current hour, the last page of the table: a page per batch, not one per redemption.
 * - report_benefit_days: captured benefits per Shanghai day and campaign (a day's campaigns: one page).
 * Rows that went back to zero (every sale of an hour reversed) stay, at zero.
 */
const HOUR = (r: string) => `((${r}.created_at + 28800000) / 3600000)`;
const DAY = (r: string) => `((${r}.created_at + 28800000) / 86400000)`;

const addHour = (r: 'NEW' | 'OLD', sign: 1 | -1) => `
      INSERT INTO report_hours (hour, n, payable_fen, saving_fen)
      VALUES (${HOUR(r)}, ${sign}, ${sign} * ${r}.payable_fen, ${sign} * ${r}.saving_fen)
      ON CONFLICT (hour) DO UPDATE SET n = n + excluded.n, payable_fen = payable_fen + excluded.payable_fen,
        saving_fen = saving_fen + excluded.saving_fen;`;

const addBenefitDay = (r: 'NEW' | 'OLD', sign: 1 | -1) => `
      INSERT INTO report_benefit_days (day, campaign_id, n, payable_fen, saving_fen)
      VALUES (${DAY(r)}, ${r}.campaign_id, ${sign}, ${sign} * ${r}.payable_fen, ${sign} * ${r}.saving_fen)
      ON CONFLICT (day, campaign_id) DO UPDATE SET n = n + excluded.n,
        payable_fen = payable_fen + excluded.payable_fen, saving_fen = saving_fen + excluded.saving_fen;`;

export const REPORT_ROLLUPS_SQL = `
  CREATE TABLE report_hours (
    hour        INTEGER PRIMARY KEY,
    n           INTEGER NOT NULL,
    payable_fen INTEGER NOT NULL,
    saving_fen  INTEGER NOT NULL
  ) STRICT;
  INSERT INTO report_hours
    SELECT ${HOUR('r')}, count(*), sum(payable_fen), sum(saving_fen)
    FROM redemptions r WHERE state = 'captured' GROUP BY 1;

  CREATE TABLE report_benefit_days (
    day         INTEGER NOT NULL,
    campaign_id TEXT NOT NULL,
    n           INTEGER NOT NULL,
    payable_fen INTEGER NOT NULL,
    saving_fen  INTEGER NOT NULL,
    PRIMARY KEY (day, campaign_id)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO report_benefit_days
    SELECT ${DAY('b')}, campaign_id, count(*), sum(payable_fen), sum(saving_fen)
    FROM captured_benefits b GROUP BY 1, 2;

  CREATE TRIGGER report_hours_insert AFTER INSERT ON redemptions WHEN NEW.state = 'captured'
    BEGIN ${addHour('NEW', 1)}
    END;
  CREATE TRIGGER report_hours_leave
    AFTER UPDATE OF state, payable_fen, saving_fen, created_at ON redemptions WHEN OLD.state = 'captured'
    BEGIN ${addHour('OLD', -1)}
    END;
  CREATE TRIGGER report_hours_enter
    AFTER UPDATE OF state, payable_fen, saving_fen, created_at ON redemptions WHEN NEW.state = 'captured'
    BEGIN ${addHour('NEW', 1)}
    END;
  CREATE TRIGGER report_hours_delete AFTER DELETE ON redemptions WHEN OLD.state = 'captured'
    BEGIN ${addHour('OLD', -1)}
    END;
  CREATE TRIGGER report_benefit_days_add AFTER INSERT ON captured_benefits
    BEGIN ${addBenefitDay('NEW', 1)}
    END;
  CREATE TRIGGER report_benefit_days_remove AFTER DELETE ON captured_benefits
    BEGIN ${addBenefitDay('OLD', -1)}
    END;
`;
