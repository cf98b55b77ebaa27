import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type Database from 'better-sqlite3';
import type { ResponseBody } from '../firmware-protocol/src/messages/response.ts';
import type { Clock } from '../gateway/core/clock.ts';
import type { Logger } from '../gateway/core/log.ts';
import type { CredentialResolver } from '../gateway/redemption/device/credential-resolver.ts';
import type { RedemptionService } from '../gateway/redemption/service/redemption-service.ts';
import type { OutboxPort } from '../gateway/cloud/outbox-port.ts';
import type { FlowsSettings } from '../gateway/config/schema.ts';
import type { GatewaySecrets } from '../gateway/security/gateway-secrets.ts';
import type { LedgerPort, WriterPort } from '../gateway/redemption/service/ports.ts';
import type { CatalogRepo } from '../gateway/redemption/store/catalog-repo.ts';
import type { RedemptionRepo } from '../gateway/redemption/store/redemption-repo.ts';
import type { WireCredential } from '../firmware-protocol/src/messages/credential.ts';
import type { CloudDocBodies } from '../gateway/cloud/contract/kind-documents.ts';
import type { HealthFinding } from './adapter.ts';

/** The device a request came from, as the gateway knows it (never as the device claims). */
export interface RequestingDevice {
  id: string;
  kind: string;
  /** The merchant the device sells for: the shop staff bound a scanner to, else the device itself; null = unbound. */
  merchantId: string | null;
}

/** A validated request: its envelope's id and txn, and a body of one of the serving part's ops. */
export interface DeviceRequest<Body extends { op: string } = { op: string }> {
  id: string;
  txn: string;
  body: Body;
}

/**
 * The request ops one flow serves. Which kinds may send an op is the kinds' wire contracts' business;
 * answers are coded: a thrown LinliError becomes an error response, never a crash.
 */
export interface FlowHandler {
  readonly ops: readonly string[];
  /**
   * [FWP-4.3] Ops whose first answer the gateway keeps and replays as is to a resend; the others are
   * answered by the flow from its own state (a settled deposit is never told to open its door again).
   */
  readonly replayed?: readonly string[];
  answer(device: RequestingDevice, msg: DeviceRequest): Promise<ResponseBody>;
}

/** What the gateway lends a kind's part: narrow ports, never the gateway itself. */
export interface KindPartPorts {
  /** For the part's own reads; every write goes through `writer`. */
  db: Database.Database;
  writer: WriterPort;
  service: RedemptionService;
  resolver: CredentialResolver;
  /** The engine's repositories a flow reads (members, cards, benefits; past redemptions; balances). */
  catalog: CatalogRepo;
  redemptions: RedemptionRepo;
  ledger: LedgerPort;
  /** Keyed hashes of codes (pickup, visitor) and card lookup keys. */
  secrets: GatewaySecrets;
  /** The kinds' timeouts and limits [FWP-11.4–11.6], the time zone of opening hours, the door-open alert. */
  settings: { flows: FlowsSettings; timezone: string; leftOpenMs: number };
  /** Publishes a retained message a device or integration reads (a locker's occupancy [FWP-10.3]). */
  publishRetained(topic: string, payload: string): void;
  clock: Clock;
  log: Logger;
  outbox: OutboxPort | undefined;
  /** The device's capabilities as its latest birth reported them. */
  capabilitiesOf(deviceId: string): unknown;
  /** Raises (or clears, with undefined) a health finding on a device. */
  setFinding(deviceId: string, key: string, finding: HealthFinding | undefined): void;
  /** Something needs a person at once (fire risk): the gateway logs it and the box's LED blinks a fault. */
  alert(a: { deviceId: string; code: string; message: string }): void;
  /** Sends a command and resolves with the device's acknowledgement status. */
  command(deviceId: string, name: string, args: Record<string, unknown>): Promise<'done' | 'rejected' | 'failed'>;
}

/** The gateway side of one kind: what it answers, what it listens to, its tables and its periodic work. */
export interface KindPart {
  readonly requests?: FlowHandler;
  /** Handlers of the kind's events [FWP-11.7], by event name. */
  readonly events?: Readonly<
    Record<string, (deviceId: string, body: unknown, txn: string | undefined) => Promise<void>>
  >;
  /** Every accepted telemetry report of a device of this kind. */
  onTelemetry?(deviceId: string, telemetry: unknown): void;
  /** The kind's tables: statements applied once each, in order, recorded per kind. */
  readonly migrations?: readonly string[];
  /** The kind's staff API routes, mounted under /api/v1 (each names its least role in `config.role`). */
  readonly routes?: FastifyPluginAsyncZod;
  /**
   * Sections of the cloud's documents this kind applies [CLP-4.x] (group buys to lockers, visitor codes
   * to doors), called inside the document's writer unit with the body already validated.
   */
  readonly cloudDocs?: { [D in keyof CloudDocBodies]?: (body: CloudDocBodies[D], now: number) => void };
  /**
   * The box's own desk reader set to open a door (`box.deskReader: door`) decides through the kind that
   * opens doors: resolves true when access is granted.
   */
  readonly deskDoor?: (deviceId: string, door: string, credential: WireCredential, txn: string) => Promise<boolean>;
  /** The demo community's setup for this kind's simulated devices (e.g. who may open their doors). */
  demoSetup?(deviceIds: readonly string[]): void;
  /** Called once the part's tables exist, before the broker accepts devices (picks up what a restart left). */
  start?(): void;
  tick?(): Promise<void>;
}
