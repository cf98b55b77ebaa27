/** What `linli sim` was asked for, as commander parsed it. */
export interface SimOptions {
  url: string;
  /** Counts by the kinds' option names (lockers, vending, doors, scanners, piles, ...). */
  [count: string]: unknown;
  credentials?: string;
  api?: string;
  token?: string;
  scenario: string;
  duration?: number;
  seed: number;
  interval: number;
  logLevel: string;
}
