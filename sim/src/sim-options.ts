/** What `linli sim` was asked for, as commander parsed it. */
export interface SimOptions {
  url: string;
  /** The CA file the broker's certificate chains to (the gateway's <data>/tls/ca.crt), for mqtts:// */
  ca?: string;
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
