import type Database from 'better-sqlite3';
import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';

/** The charging pile's tables, applied once each in order (the kind's own schema history). */
export const CHARGING_MIGRATIONS = [
  `CREATE TABLE charging_sessions (
     device_id TEXT NOT NULL,
     txn TEXT NOT NULL,
     socket TEXT NOT NULL,
     member_id TEXT NOT NULL,
     trust TEXT NOT NULL CHECK (trust IN ('low', 'high')),
     merchant_id TEXT NOT NULL,
     product_id TEXT NOT NULL,
     unit_price_fen INTEGER NOT NULL CHECK (unit_price_fen > 0),
     per TEXT NOT NULL CHECK (per IN ('hour', 'kwh')),
     held_units INTEGER NOT NULL CHECK (held_units > 0),
     started_at INTEGER NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending', 'charging', 'declined', 'settled')),
     begin_answer TEXT,
     end_txn TEXT,
     end_answer TEXT,
     minutes INTEGER,
     energy_wh INTEGER,
     reason TEXT,
     ended_at INTEGER,
     PRIMARY KEY (device_id, txn)
   ) STRICT`,
  // one charge per socket at a time, whatever the retries and races
  `CREATE UNIQUE INDEX charging_one_per_socket ON charging_sessions (device_id, socket)
     WHERE state IN ('pending', 'charging')`,
];

export interface ChargingSession {
  deviceId: string;
  txn: string;
  socket: string;
  memberId: string;
  trust: 'low' | 'high';
  merchantId: string;
  productId: string;
  unitPriceFen: number;
  per: 'hour' | 'kwh';
  heldUnits: number;
  startedAt: number;
  state: 'pending' | 'charging' | 'declined' | 'settled';
  beginAnswer: ResponseBody | undefined;
  endTxn: string | undefined;
  endAnswer: ResponseBody | undefined;
}

interface Row {
  device_id: string;
  txn: string;
  socket: string;
  member_id: string;
  trust: 'low' | 'high';
  merchant_id: string;
  product_id: string;
  unit_price_fen: number;
  per: 'hour' | 'kwh';
  held_units: number;
  started_at: number;
  state: ChargingSession['state'];
  begin_answer: string | null;
  end_txn: string | null;
  end_answer: string | null;
}

const toSession = (r: Row): ChargingSession => ({
  deviceId: r.device_id,
  txn: r.txn,
  socket: r.socket,
  memberId: r.member_id,
  trust: r.trust,
  merchantId: r.merchant_id,
  productId: r.product_id,
  unitPriceFen: r.unit_price_fen,
  per: r.per,
  heldUnits: r.held_units,
  startedAt: r.started_at,
  state: r.state,
  beginAnswer: r.begin_answer ? (JSON.parse(r.begin_answer) as ResponseBody) : undefined,
  endTxn: r.end_txn ?? undefined,
  endAnswer: r.end_answer ? (JSON.parse(r.end_answer) as ResponseBody) : undefined,
});

/** Charging sessions: reads anywhere; the writes run inside the gateway's single writer. */
export class ChargingSessions {
  constructor(private readonly db: Database.Database) {}

  get(deviceId: string, txn: string): ChargingSession | undefined {
    const r = this.db
      .prepare<[string, string], Row>('SELECT * FROM charging_sessions WHERE device_id = ? AND txn = ?')
      .get(deviceId, txn);
    return r ? toSession(r) : undefined;
  }

  /** The charge holding a socket now (pending or charging). */
  onSocket(deviceId: string, socket: string): ChargingSession | undefined {
    const r = this.db
      .prepare<[string, string], Row>(
        `SELECT * FROM charging_sessions WHERE device_id = ? AND socket = ? AND state IN ('pending', 'charging')`,
      )
      .get(deviceId, socket);
    return r ? toSession(r) : undefined;
  }

  /** Charges in progress, for the staff API and the dashboard. */
  active(): ChargingSession[] {
    return this.db
      .prepare<[], Row>(`SELECT * FROM charging_sessions WHERE state = 'charging' ORDER BY started_at`)
      .all()
      .map(toSession);
  }

  /** In the writer, with the hold's decision: the socket is taken by this charge. */
  open(s: Omit<ChargingSession, 'state' | 'beginAnswer' | 'endTxn' | 'endAnswer'>): void {
    this.db
      .prepare(
        `INSERT INTO charging_sessions (device_id, txn, socket, member_id, trust, merchant_id, product_id,
           unit_price_fen, per, held_units, started_at, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
      )
      .run(
        s.deviceId,
        s.txn,
        s.socket,
        s.memberId,
        s.trust,
        s.merchantId,
        s.productId,
        s.unitPriceFen,
        s.per,
        s.heldUnits,
        s.startedAt,
      );
  }

  /** In the writer: the hold's answer, and whether the charge runs (approved) or not. */
  begun(deviceId: string, txn: string, running: boolean, answer: ResponseBody): void {
    this.db
      .prepare(`UPDATE charging_sessions SET state = ?, begin_answer = ? WHERE device_id = ? AND txn = ?`)
      .run(running ? 'charging' : 'declined', JSON.stringify(answer), deviceId, txn);
  }

  /** In the writer: the settlement by the pile's meter. */
  settled(
    deviceId: string,
    txn: string,
    end: { txn: string; answer: ResponseBody; minutes: number; energyWh: number; reason: string; at: number },
  ): void {
    this.db
      .prepare(
        `UPDATE charging_sessions SET state = 'settled', end_txn = ?, end_answer = ?, minutes = ?, energy_wh = ?,
           reason = ?, ended_at = ? WHERE device_id = ? AND txn = ?`,
      )
      .run(end.txn, JSON.stringify(end.answer), end.minutes, end.energyWh, end.reason, end.at, deviceId, txn);
  }
}
