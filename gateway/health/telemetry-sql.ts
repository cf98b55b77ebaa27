/**
 * Migration 21: a device's temperature and signal over the last days, for the console's charts. One sample
 * per device per `sampleS` at most (a device may report every few seconds: storing each would wear the SD
 * card for a chart that cannot show them), kept `keepH` hours.
 */
export const TELEMETRY_SAMPLES_SQL = `
  CREATE TABLE telemetry_samples (
    device_id     TEXT NOT NULL,
    at            INTEGER NOT NULL,
    temperature_c REAL,
    rssi_dbm      INTEGER,
    PRIMARY KEY (device_id, at)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX telemetry_samples_at ON telemetry_samples(at);
`;
