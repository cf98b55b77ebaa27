import { isIP } from 'node:net';
import * as z from 'zod';
import { BoxHardwareConfigSchema } from '../../devices/box/box-hardware.ts';
import { AlertWebhooksConfigSchema } from '../alerts/webhooks/webhook-config.ts';
import { BackupConfigSchema } from '../backup/backup-config.ts';
import { PrepaidConfigSchema } from '../prepaid/prepaid-config.ts';
import { PrivacyConfigSchema } from '../privacy/privacy-config.ts';

const Port = z.number().int().min(0).max(65535);

/** One read-only integration account (Home Assistant, Node-RED, monitoring) on the embedded broker. */
const IntegrationAccountSchema = z
  .object({
    username: z
      .string()
      .regex(/^integration-[a-z0-9-]{1,40}$/, 'must look like "integration-<name>" so it can never be a device id'),
    /** scrypt hash as printed by `linli hash-secret`; the plain password never appears in config. */
    passwordHash: z.string().startsWith('scrypt$', 'expected a hash printed by `linli hash-secret`'),
    /** MQTT topic filters it may subscribe to, e.g. "linli/v1/dev/+/state". It may never publish. */
    subscribe: z.array(z.string().min(1)).min(1),
  })
  .strict();

/** A host name or an IP address a device may use to reach the broker (a SAN of the local certificate). */
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_NAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const AdvertisedHost = z
  .string()
  .max(253)
  .refine((h) => isIP(h) !== 0 || HOST_NAME.test(h), {
    message: 'expected a host name (box.local) or an IP address (192.168.1.20, fd00::20)',
  });

const TlsListenerSchema = z
  .object({
    /** On by default: devices send secrets and card UIDs, never in clear on the LAN. */
    enabled: z.boolean().default(true),
    host: z.string().default('0.0.0.0'),
    port: Port.default(8883),
    /**
     * The server certificate and key (PEM). Without them the gateway makes its own local CA and server
     * certificate under <dataDir>/tls/ and renews the certificate itself (`linli provision` prints the CA).
     */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** CA bundle used to check client certificates. */
    caFile: z.string().min(1).optional(),
    /** Ask devices for a client certificate; with `requireClientCert`, refuse those without a valid one. */
    requestClientCert: z.boolean().default(false),
    requireClientCert: z.boolean().default(false),
    /**
     * Names and addresses devices use to reach the gateway, beyond its host name and its interfaces'
     * addresses (a DNS name, a NAT address): each goes into the local server certificate.
     */
    advertisedHosts: z.array(AdvertisedHost).max(64).default([]),
    /** The local server certificate is renewed when fewer days than this remain (checked at start and daily). */
    renewBeforeDays: z.number().int().min(1).max(180).default(30),
  })
  .strict()
  .refine((t) => !t.certFile === !t.keyFile, {
    message: "certFile and keyFile go together (or leave both out to use the gateway's own local CA)",
    path: ['certFile'],
  })
  .refine((t) => !t.requireClientCert || t.caFile, {
    message: 'caFile is required to check client certificates',
    path: ['caFile'],
  });

export const MqttConfigSchema = z
  .object({
    host: z.string().default('0.0.0.0'),
    port: Port.default(1883),
    /**
     * The plain TCP listener on host:port. Off by default: plain MQTT carries device secrets and card
     * UIDs in clear; turn it on only for devices that cannot do TLS, on a trusted network (`linli doctor` warns).
     */
    plaintext: z.boolean().default(false),
    tls: TlsListenerSchema.default({
      enabled: true,
      host: '0.0.0.0',
      port: 8883,
      requestClientCert: false,
      requireClientCert: false,
      advertisedHosts: [],
      renewBeforeDays: 30,
    }),
    maxConnections: z.number().int().positive().default(1000),
    /** Largest MQTT packet a client may send; larger ones get PAYLOAD_TOO_LARGE and the connection is closed. */
    maxPacketBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
    /** New connections accepted per remote address per minute. */
    connectsPerMinutePerAddress: z.number().int().positive().default(60),
    lockout: z
      .object({
        maxFailures: z.number().int().positive().default(5),
        windowS: z.number().int().positive().default(300),
        lockS: z.number().int().positive().default(300),
      })
      .strict()
      .default({ maxFailures: 5, windowS: 300, lockS: 300 }),
    /**
     * Bytes that may wait in one client's socket, unread, beyond what the kernel buffers. A client that
     * stops reading is disconnected past it (a slow consumer), so no delivery ever waits for it.
     * At least 2 × maxPacketBytes.
     */
    maxQueuedBytesPerClient: z
      .number()
      .int()
      .min(64 * 1024)
      .max(256 * 1024 * 1024)
      .default(1024 * 1024),
    /**
     * Backstop only (aedes drainTimeout): the broker completes every
     * write at once, so aedes never waits on a client's socket.
     */
    drainTimeoutMs: z.number().int().min(100).default(10_000),
    keepaliveLimitS: z.number().int().min(5).max(3600).default(300),
    /**
     * Pre-authentication deadline: from the accepted socket (after the
     * TLS handshake, itself bounded by the same time) to CONNACK 0.
     */
    connectTimeoutMs: z.number().int().min(500).default(5_000),
    /**
     * Connections accepted but not yet authenticated, per remote
     * address; more from it are closed at once. Less than pendingTotal.
     */
    pendingPerAddress: z.number().int().positive().default(16),
    /** Connections accepted but not yet authenticated, from all addresses together (TLS handshakes included). */
    pendingTotal: z.number().int().positive().default(256),
    integrations: z.array(IntegrationAccountSchema).default([]),
  })
  .strict()
  .refine((m) => m.plaintext || m.tls.enabled, {
    message: 'no MQTT listener: enable mqtt.tls (the default) or mqtt.plaintext',
    path: ['tls', 'enabled'],
  })
  // one address alone must never fill the whole pending budget, or its flood would refuse every device
  .refine((m) => m.pendingPerAddress < m.pendingTotal, {
    message: 'pendingPerAddress must be less than pendingTotal',
    path: ['pendingPerAddress'],
  })
  // a full-size packet to a client that reads must never look like a slow consumer
  .refine((m) => m.maxQueuedBytesPerClient >= 2 * m.maxPacketBytes, {
    message: 'maxQueuedBytesPerClient must be at least 2 × maxPacketBytes',
    path: ['maxQueuedBytesPerClient'],
  });

const HttpConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: Port.default(8080),
  })
  .strict();

export const HealthConfigSchema = z
  .object({
    /** A device that drops is reported offline only after this long, so a one-second blip raises no alert. */
    offlineGraceS: z.number().int().min(0).default(30),
    /** Offline when no heartbeat for this many promised intervals. */
    heartbeatMissFactor: z.number().min(1.5).max(10).default(3),
    flapWindowS: z.number().int().positive().default(600),
    /** More disconnects than this within the window marks a device as flapping. */
    flapMaxDisconnects: z.number().int().positive().default(5),
    historyPerDevice: z.number().int().min(10).max(100_000).default(500),
    /** Telemetry alarms, per kind where it matters. */
    vendingMaxTemperatureC: z.number().default(12),
    doorOpenAlertS: z.number().int().positive().default(120),
    /**
     * Flap damping for faults: a fault or warning a device reports (or a telemetry alarm like a warm
     * fridge) counts until it has been absent this long. A fault flickering on and off is one change.
     */
    faultClearS: z.number().int().min(0).max(3600).default(10),
    /** Health changes recorded per device per minute at most; more are folded into one when the minute ends. */
    maxChangesPerMinute: z.number().int().min(1).max(1000).default(30),
    /** A device's temperature and signal are kept once per this long at most, for the console's charts. */
    telemetrySampleS: z.number().int().min(10).max(86_400).default(600),
    /** How long those samples are kept. */
    telemetryKeepH: z
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(168),
  })
  .strict();

const KeyHex = z.string().regex(/^[0-9A-Fa-f]{32}$/, 'expected an AES-128 key as 32 hex digits');

const RedemptionConfigSchema = z
  .object({
    maxBenefitsPerPurchase: z.number().int().min(1).max(10).default(3),
    /** A vend's hold is voided (refunded) when not captured within this time. */
    holdTimeoutS: z.number().int().min(5).max(3600).default(60),
    /** How long after capture a cashier or staff may still reverse a redemption. */
    reversalWindowH: z
      .number()
      .int()
      .min(0)
      .max(24 * 90)
      .default(24),
    /** Plain UID cards can be cloned: what they may pay per purchase and per day (fen). */
    lowTrust: z
      .object({
        perTxnFen: z.number().int().nonnegative().default(5000),
        perDayFen: z.number().int().nonnegative().default(20000),
      })
      .strict()
      .default({ perTxnFen: 5000, perDayFen: 20000 }),
    accrual: z
      .object({
        pointsPerYuan: z.number().int().min(0).max(100).default(1),
        tierMultipliers: z.record(z.string(), z.number().min(0).max(10)).default({ silver: 1.5, gold: 2 }),
      })
      .strict()
      .default({ pointsPerYuan: 1, tierMultipliers: { silver: 1.5, gold: 2 } }),
    /**
     * NTAG 424 DNA: the SDM meta read key, and the master key per-card file read keys are diversified
     * from (AN10922). On a real box each comes from a key file readable by the gateway only (`…File`);
     * inline keys are for demos and tests, and a config file holding them must not be readable by others.
     */
    secureCards: z
      .object({
        sdmMetaReadKey: KeyHex.optional(),
        sdmMetaReadKeyFile: z.string().min(1).optional(),
        fileReadMasterKey: KeyHex.optional(),
        fileReadMasterKeyFile: z.string().min(1).optional(),
      })
      .strict()
      .refine((k) => (k.sdmMetaReadKey === undefined) !== (k.sdmMetaReadKeyFile === undefined), {
        message: 'set exactly one of sdmMetaReadKey and sdmMetaReadKeyFile',
        path: ['sdmMetaReadKeyFile'],
      })
      .refine((k) => (k.fileReadMasterKey === undefined) !== (k.fileReadMasterKeyFile === undefined), {
        message: 'set exactly one of fileReadMasterKey and fileReadMasterKeyFile',
        path: ['fileReadMasterKeyFile'],
      })
      .optional(),
    /** Cloud Ed25519 keys that sign member QR credentials, by key id; the cloud sync will rotate them later. */
    qrTrustedKeys: z
      .array(
        z
          .object({
            kid: z.string().min(1).max(16),
            publicKey: z
              .string()
              .regex(/^[A-Za-z0-9_-]{43}$/, 'expected a raw Ed25519 public key, base64url (43 characters)'),
          })
          .strict(),
      )
      .default([]),
    qrStepS: z.number().int().min(10).max(300).default(30),
    groupCommit: z
      .object({
        maxWaitMs: z.number().int().min(0).max(50).default(2),
        maxBatch: z.number().int().min(1).max(10_000).default(256),
        /**
         * Sync the log on a thread of its own (synchronous=NORMAL + fdatasync after COMMIT, answers held
         * until it is done): as durable as synchronous=FULL, without the event loop waiting on the disk.
         * false: synchronous=FULL, the fsync inside COMMIT on the event loop.
         */
        syncOffThread: z.boolean().default(true),
      })
      .strict()
      .default({ maxWaitMs: 2, maxBatch: 256, syncOffThread: true }),
  })
  .strict();

/** Timeouts and limits of the device flows [FWP-11.4–11.6]. */
const FlowsConfigSchema = z
  .object({
    vending: z
      .object({
        /** A session with no selection ends after this. */
        sessionS: z.number().int().min(5).max(600).default(30),
        /** The gateway must decide a vend within this (else the machine is told nothing and the hold is voided). */
        approvalS: z.number().int().min(1).max(60).default(5),
        /** The machine must report the vend's result within this; the hold is voided otherwise. */
        vendResultS: z.number().int().min(5).max(600).default(45),
      })
      .strict()
      .default({ sessionS: 30, approvalS: 5, vendResultS: 45 }),
    locker: z
      .object({
        /** Pickup codes expire after this. */
        codeTtlH: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(72),
        /** A parcel not picked up in this time raises an overdue alert. */
        overdueH: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(48),
        /** A compartment must report "open" within this after the gateway told it to open, else it is jammed. */
        openConfirmS: z.number().int().min(1).max(120).default(10),
        /** Wrong codes before the keypad locks, counted over the lock period. */
        maxWrongCodes: z.number().int().min(1).max(50).default(5),
        keypadLockS: z
          .number()
          .int()
          .min(10)
          .max(24 * 3600)
          .default(300),
      })
      .strict()
      .default({ codeTtlH: 72, overdueH: 48, openConfirmS: 10, maxWrongCodes: 5, keypadLockS: 300 }),
    access: z
      .object({
        /** How long a granted door stays released. */
        pulseMs: z.number().int().min(100).max(30_000).default(3000),
        /** Wrong visitor codes before a reader's keypad locks. */
        maxWrongCodes: z.number().int().min(1).max(50).default(5),
        keypadLockS: z
          .number()
          .int()
          .min(10)
          .max(24 * 3600)
          .default(300),
      })
      .strict()
      .default({ pulseMs: 3000, maxWrongCodes: 5, keypadLockS: 300 }),
  })
  .strict();

/**
 * [FWP-5.3] What one device may send, so a device gone wrong (or a hostile one on the shared LAN) slows
 * only itself: requests (each costs a database decision) and uplink messages of any kind, per second,
 * with a burst. Over them a request gets RATE_LIMITED and other messages are dropped and counted.
 */
export const DeviceLimitsSchema = z
  .object({
    requestsPerSecond: z.number().positive().max(1000).default(5),
    requestBurst: z.number().int().min(1).max(10_000).default(20),
    messagesPerSecond: z.number().positive().max(10_000).default(50),
    messageBurst: z.number().int().min(1).max(100_000).default(200),
  })
  .strict();

/** The gateway box's own NFC reader and GPIO (see devices/box/README.md). Off unless enabled. */
const BoxConfigSchema = z
  .object({
    hardware: BoxHardwareConfigSchema.prefault({}),
    /** What the desk reader is for: binding new cards to members, or opening the office door like a door reader. */
    deskReader: z.enum(['bind', 'door']).default('bind'),
    /**
     * The door the box's relay opens, as the access rules and the log name it (zone via PUT /access/points/box/{door}).
     */
    door: z.string().min(1).max(16).default('office'),
  })
  .strict();

/** The cloud platform's MQTT broker (EMQX, HiveMQ, Mosquitto) this gateway syncs with. Off unless enabled. */
export const CloudConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** mqtt://host:1883 or mqtts://host:8883 */
    url: z
      .string()
      .regex(/^mqtts?:\/\/[^\s/]+(:\d+)?$/, 'expected mqtt://host:port or mqtts://host:port')
      .default('mqtt://127.0.0.1:1883'),
    username: z.string().min(1).max(128).optional(),
    /** A file holding the password (never the password itself in the config). */
    passwordFile: z.string().min(1).optional(),
    /** TLS: the CA that signed the broker's certificate, and this gateway's client certificate and key (PEM files). */
    caFile: z.string().min(1).optional(),
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** 5 (session expiry, reason codes) where the broker supports it, else 4 (MQTT 3.1.1). */
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(5),
    /** MQTT 5 session expiry: how long the broker keeps this gateway's subscriptions while it is away. */
    sessionExpiryS: z
      .number()
      .int()
      .min(0)
      .max(7 * 86400)
      .default(3600),
    keepaliveS: z.number().int().min(5).max(600).default(30),
    /** Events per published batch, and batches per second over all streams (a drain after an outage is paced). */
    batchMax: z.number().int().min(1).max(1000).default(100),
    batchesPerSecond: z.number().min(0.1).max(1000).default(20),
    /** A batch not acknowledged in this time is sent again (the cloud de-duplicates by event id). */
    ackTimeoutS: z.number().int().min(1).max(600).default(15),
    /** Reconnect back-off: exponential from the first to the longest wait, with full jitter. */
    reconnectMinMs: z.number().int().min(100).max(600_000).default(1000),
    reconnectMaxMs: z.number().int().min(1000).max(3_600_000).default(60_000),
    /** Disk the unacknowledged events may take; past it telemetry is dropped and a critical alert raised. */
    outboxBudgetMb: z.number().min(1).max(100_000).default(512),
    /**
     * An online authorisation beyond the allowance waits this long for the cloud, then falls back to the offline limit.
     */
    onlineAuthTimeoutMs: z.number().int().min(100).max(10_000).default(1500),
    /** Ed25519 keys the cloud signs its documents with (raw, base64url); the hotlist is refused unsigned. */
    signingKeys: z
      .array(
        z
          .object({
            kid: z.string().min(1).max(16),
            publicKey: z
              .string()
              .regex(/^[A-Za-z0-9_-]{43}$/, 'expected a raw Ed25519 public key, base64url (43 characters)'),
          })
          .strict(),
      )
      .default([]),
    /**
     * A file holding the platform's card-fingerprint key (hex or base64url, 16+ bytes) shared by the cloud
     * and its gateways: fingerprints of short UIDs then cannot be reversed by trying every value.
     */
    cardFingerprintKeyFile: z.string().min(1).optional(),
    /** A periodic summary of device health for the cloud (droppable telemetry), every this many seconds. */
    telemetryEveryS: z.number().int().min(10).max(86_400).default(300),
    /** A hotlist older than this (cloud time) makes the gateway stricter: plain UID cards may not pay. */
    hotlistMaxAgeH: z
      .number()
      .min(1)
      .max(24 * 30)
      .default(24),
    /** The ledger's tip is anchored in the cloud this often [CLP-4.12] (and at every start). */
    ledgerAnchorMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
  })
  .strict()
  .refine((c) => c.reconnectMaxMs >= c.reconnectMinMs, {
    message: 'reconnectMaxMs must be at least reconnectMinMs',
    path: ['reconnectMaxMs'],
  })
  // every document from the cloud is verified: without a key none could be, and unsigned ones would move money
  .refine((c) => !c.enabled || c.signingKeys.length > 0, {
    message: "cloud sync needs the cloud's document signing key(s) in cloud.signingKeys",
    path: ['signingKeys'],
  });

const AlertsConfigSchema = z
  .object({
    /** The cloud link down this long is an alert: a short drop is normal on a community's line. */
    cloudDownAlertS: z.number().int().min(30).max(86_400).default(300),
    /** Group robots (WeCom, DingTalk, Feishu) or any JSON endpoint that hear of alerts as they change. */
    webhooks: AlertWebhooksConfigSchema.prefault({}),
  })
  .strict();

export const ConfigSchema = z
  .object({
    gateway: z
      .object({
        id: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,47}$/)
          .default('linli-gw'),
        name: z.string().max(100).default('Linli community gateway'),
        timezone: z.string().default('Asia/Shanghai'),
      })
      .strict()
      .default({ id: 'linli-gw', name: 'Linli community gateway', timezone: 'Asia/Shanghai' }),
    dataDir: z.string().min(1).default('./data'),
    mqtt: MqttConfigSchema.default(MqttConfigSchema.parse({})),
    http: HttpConfigSchema.default({ host: '127.0.0.1', port: 8080 }),
    health: HealthConfigSchema.default(HealthConfigSchema.parse({})),
    redemption: RedemptionConfigSchema.default(RedemptionConfigSchema.parse({})),
    flows: FlowsConfigSchema.default(FlowsConfigSchema.parse({})),
    limits: DeviceLimitsSchema.prefault({}),
    box: BoxConfigSchema.prefault({}),
    cloud: CloudConfigSchema.prefault({}),
    alerts: AlertsConfigSchema.prefault({}),
    backup: BackupConfigSchema.prefault({}),
    /** Stored-value caps per card type and the daily close (gateway/prepaid). */
    prepaid: PrepaidConfigSchema.prefault({}),
    /** How long personal detail stays (PIPL): access log and redemption detail retention (gateway/privacy). */
    privacy: PrivacyConfigSchema.prefault({}),
    homeAssistant: z
      .object({
        /** Publish Home Assistant MQTT discovery configs, retained, for every device (opt-in). */
        discovery: z.boolean().default(false),
        prefix: z
          .string()
          .regex(/^[a-zA-Z0-9_-]+$/)
          .default('homeassistant'),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        pretty: z.boolean().default(false),
      })
      .strict()
      .default({ level: 'info', pretty: false }),
  })
  .strict()
  // a hold must outlive the vend it pays for, or a vend reported in time would find it expired (and the item free)
  .refine((c) => c.redemption.holdTimeoutS >= c.flows.vending.approvalS + c.flows.vending.vendResultS + 5, {
    message: 'redemption.holdTimeoutS must be at least flows.vending.approvalS + flows.vending.vendResultS + 5 s',
    path: ['redemption', 'holdTimeoutS'],
  });

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type MqttConfig = Config['mqtt'];
export type HealthConfig = Config['health'];
export type FlowsSettings = Config['flows'];
export type CloudConfig = Config['cloud'];
export type DeviceLimits = Config['limits'];
export type IntegrationAccount = z.infer<typeof IntegrationAccountSchema>;
