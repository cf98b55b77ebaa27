import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { randomBytes } from 'node:crypto';
import { LinliBroker } from '../broker/src/index.ts';
import { EnvelopeStamper } from '../firmware-protocol/src/stamp.ts';
import { topics } from '../firmware-protocol/src/topics.ts';
import { PROTOCOL_VERSION } from '../firmware-protocol/src/version.ts';
import type { GatewayState } from '../firmware-protocol/src/messages/state.ts';
import { CommandService } from './commands/command-service.ts';
import type { Config } from './config/schema.ts';
import { systemClock, type Clock } from './core/clock.ts';
import type { Logger } from './core/log.ts';
import type { DeviceMonitor } from './health/device-monitor.ts';
import { wireDeviceHealth } from './health/device-health-wiring.ts';
import type { HealthSink } from './health/health-sink.ts';
import type { HttpServer } from './http/server.ts';
import { Downlink } from './messaging/downlink.ts';
import type { UplinkRouter } from './messaging/uplink-router.ts';
import { DeviceService } from './registry/device-service.ts';
import { bridgeRegistry } from './registry/registry-bridge.ts';
import { RegistryWatcher } from './registry/registry-watcher.ts';
import { StaffTokens } from './security/staff-tokens.ts';
import { LocalTls } from './security/local-tls.ts';
import { createRedemptionEngine, type RedemptionEngine } from './redemption/wire.ts';
import { createPrivacy, type Privacy } from './privacy/privacy-module.ts';
import { createPrepaid, type Prepaid } from './prepaid/prepaid-module.ts';
import { DeskReader } from './flows/desk-reader.ts';
import type { CloudLink } from './cloud/cloud-link.ts';
import type { OutboxRepo } from './cloud/outbox-repo.ts';
import type { DocSync } from './cloud/doc-sync.ts';
import { ClockHealth } from './core/clock-health.ts';
import { RolloutService } from './cloud/rollouts.ts';
import { createBoxHardware, type BoxHardware } from '../devices/box/box-hardware.ts';
import { Store } from './store/store.ts';
import { RuntimeSettings } from './core/runtime-settings.ts';
import { assertPrivateFile, secretFilesOf } from './security/secret-files.ts';
import { BatchWriter } from './store/batch-writer.ts';
import { WalSync } from './store/wal-sync.ts';
import { EventBus } from './core/event-bus.ts';
import type { GatewayEvents } from './gateway-events.ts';
import { startParts, stopParts, type Part } from './parts/part.ts';
import { Housekeeping } from './parts/housekeeping.ts';
import { buildDeviceRouter } from './messaging/device-router.ts';
import type { HealthFinding } from '../devices/adapter.ts';
import { buildKindParts, type KindParts } from './kinds/kind-parts.ts';
import { EventLoopLag } from './core/event-loop-lag.ts';
import { TURN_BUDGET_MS, TurnBudget } from './core/turn-budget.ts';
import type { AlertService } from './alerts/alert-service.ts';
import { wireAlerts } from './alerts/wire-alerts.ts';
import { wireBackups } from './backup/wire-backups.ts';
import type { AlertWebhooks } from './alerts/webhooks/webhook-sender.ts';
import { DEVICE_KINDS } from '../devices/registry.ts';
import { MetricsRecorder } from './metrics/metrics-recorder.ts';
import { channelOf, countingPublisher, redemptionOutcome } from './metrics/metric-hooks.ts';
import { HomeAssistantDiscovery } from './metrics/ha-publisher.ts';
import { TelemetrySamples } from './health/telemetry-samples.ts';

export interface GatewayEndpoints {
  /** The plain MQTT port: only with mqtt.plaintext (off by default). */
  mqttPort: number | undefined;
  /** The MQTT over TLS port (mqtts), on by default. */
  mqttTlsPort: number | undefined;
  httpUrl: string;
  database: string;
}

/**
 * The running gateway. The constructor only assigns; `start()` acquires the database, broker, HTTP
 * server and timers in order; `stop()` releases them in reverse, publishing the gateway's offline state first.
 */
export class Gateway {
  readonly bootId = randomBytes(6).toString('hex');
  readonly clock: Clock;
  store!: Store;
  devices!: DeviceService;
  tokens!: StaffTokens;
  monitor!: DeviceMonitor;
  commands!: CommandService;
  broker!: LinliBroker;
  /** The local CA and the broker's certificate it issued; undefined when the config names its own or TLS is off. */
  tls: LocalTls | undefined;
  health!: HealthSink;
  /** What one part tells the others: health changes, settled redemptions, alerts, the registry's news. */
  private readonly bus: EventBus<GatewayEvents>;
  /** The once-a-second housekeeping, on the injected clock. */
  private housekeeping!: Housekeeping;
  /** The parts in start order, built by compose(); stop() releases them in reverse. */
  private parts: Part[] = [];
  /** When a kind part last raised an alert (monotonic): the box's LED blinks a fault for a minute after. */
  private lastAlertMono = -Infinity;
  private router!: UplinkRouter;
  redemption!: RedemptionEngine;
  /** Personal information: the retention sweep, a member's export and erasure (PIPL). */
  privacy!: Privacy;
  /** Prepaid stored value: refunds, the liability report, the daily close (日结). */
  prepaid!: Prepaid;
  /** The box's own NFC reader, relay, LED and tamper switch. */
  hardware!: BoxHardware;
  /** Events for the cloud, written with the changes they describe; only when cloud sync is on. */
  outbox: OutboxRepo | undefined;
  /** Anchors the ledger's tip in the cloud now [CLP-4.12]; undefined without cloud sync. */
  anchorLedger: (() => Promise<void>) | undefined;
  private stopCloudSync: (() => Promise<void>) | undefined;
  cloud: CloudLink | undefined;
  docs: DocSync | undefined;
  /** A restored database still lacks what the lost box approved after the backup [CLP-5.12]. */
  restorePending: () => boolean = () => false;
  /** Whether the wall clock can be trusted (a box without RTC, NTP jumps, skew from the cloud's time). */
  clockHealth!: ClockHealth;
  /** Campaign pushes to device screens and their per-device delivery. */
  rollouts!: RolloutService;
  desk!: DeskReader;
  /** The one writer of the process (group commit) for redemptions, health and presence. */
  writer!: BatchWriter;
  /** Settings the cloud may change at run time, kept apart from the frozen config. */
  readonly settings: RuntimeSettings;
  private http: HttpServer | undefined;
  private stopTicker: (() => void) | undefined;
  /** Records and publishes the devices' first verdicts once the broker answers (wireDeviceHealth). */
  private announceDevices: () => void = () => undefined;
  /** Periodic work still running (flow timeouts, hold expiry): stop() waits for all of it. */
  private readonly ticking = new Set<Promise<void>>();
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';

  private readonly hardwareOverride: BoxHardware | undefined;
  /** The gateway side of the kinds with flows of their own: requests, events, tables, routes, ticks. */
  kinds!: KindParts;
  /** Open alerts and their history; the gateway's own conditions are looked at on the tick. */
  alerts!: AlertService;
  /** Alerts sent on to the staff's group chats (WeCom, DingTalk, Feishu) or a JSON endpoint. */
  alertWebhooks!: AlertWebhooks;
  /** Prometheus metrics in a registry of their own, served at /metrics (prom-client loads after the broker). */
  readonly metrics = new MetricsRecorder();
  /** Devices' temperature and signal, sampled, for the console's charts. */
  telemetry!: TelemetrySamples;
  private alertsTick: () => void = () => undefined;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    opts: { clock?: Clock; hardware?: BoxHardware } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.hardwareOverride = opts.hardware;
    this.settings = new RuntimeSettings(config);
    this.bus = new EventBus<GatewayEvents>(log.child({ component: 'bus' }));
  }

  get ready(): boolean {
    return this.state === 'running';
  }

  async start(): Promise<GatewayEndpoints> {
    this.state = 'starting';
    // files this process creates (database, WAL, secrets, backups) are its user's only
    process.umask(0o077);
    for (const { file, what } of secretFilesOf(this.config)) assertPrivateFile(file, what);
    // the outbox checks each event against the cloud contract (some 500 zod schemas, built as their module
    // loads): loaded only by a gateway that syncs for the cloud
    const cloud = this.config.cloud.enabled ? await import('./cloud/outbox-repo.ts') : undefined;
    this.parts = this.compose(cloud?.OutboxRepo);
    await startParts(this.parts, this.log);
    this.state = 'running';
    const { ports } = this;
    if (!ports || !this.http) throw new Error('the broker and the HTTP server did not start');
    const endpoints: GatewayEndpoints = {
      mqttPort: ports.port,
      mqttTlsPort: ports.tlsPort,
      httpUrl: this.http.url,
      database: this.store.file,
    };
    this.log.info({ ...endpoints, bootId: this.bootId, protocol: PROTOCOL_VERSION }, 'gateway started');
    return endpoints;
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping' || this.state === 'new') return;
    this.state = 'stopping';
    await stopParts(this.parts, this.log);
    this.state = 'stopped';
    this.log.info('gateway stopped; database closed cleanly');
  }

  /** The device kinds' own staff routes, for the HTTP server. */
  get kindRoutes(): readonly FastifyPluginAsyncZod[] {
    return this.kinds.routes;
  }

  /** How long the event loop was blocked since the gateway started serving (for /healthz and the bench). */
  readonly loopLag = new EventLoopLag();

  /** The gateway's bus, to listen on (the console's live stream). */
  get events(): Pick<EventBus<GatewayEvents>, 'on'> {
    return this.bus;
  }

  /** Events per kind emitted on the bus since start (for /healthz). */
  eventsEmitted(): Record<string, number> {
    return this.bus.emitted();
  }

  private ports: { port?: number | undefined; tlsPort?: number | undefined } | undefined;

  /**
   * Builds the gateway's objects in dependency order (nothing is used before it is built: what one part
   * must tell another goes over the bus) and returns its parts in start order; they stop in reverse.
   */
  private compose(Outbox: typeof OutboxRepo | undefined): Part[] {
    const { config, log, clock, bus } = this;
    const store = new Store(config.dataDir, { historyPerDevice: config.health.historyPerDevice });
    this.store = store;
    const mark = store.db.prepare<[], { wall: number }>('SELECT wall FROM clock_marks WHERE id = 1').get();
    this.clockHealth = new ClockHealth(clock, undefined, mark?.wall);
    const groupCommit = config.redemption.groupCommit;
    // the log synced off the event loop: COMMIT no longer waits for the disk, the answers still do
    const wal = groupCommit.syncOffThread && store.file !== ':memory:' ? new WalSync(`${store.file}-wal`) : undefined;
    if (wal) store.db.pragma('synchronous = NORMAL');
    const writer = new BatchWriter(
      store.db,
      { ...groupCommit, onBatch: (n, ms) => this.metrics.observeBatch(n, ms) },
      wal?.sync,
    );
    this.writer = writer;
    // without a cloud nothing would ever drain the outbox: it is written only when sync is on
    const outbox = Outbox ? new Outbox(store.db, config.gateway.id, () => clock.now()) : undefined;
    this.outbox = outbox;
    const stamper = new EnvelopeStamper(`gw-${this.bootId}`, () => clock.now());

    // the registry: this process's changes and another process's (the CLI), told to whoever listens
    const registryLog = log.child({ component: 'registry' });
    this.devices = new DeviceService(store.devices, writer, clock, registryLog, {
      onRevoked: (id, why) => bus.emit('device.revoked', { id, why, elsewhere: false }),
      onProvisioned: (d) => bus.emit('device.registered', { device: d, elsewhere: false }),
      onChanged: (d) => bus.emit('device.registered', { device: d, elsewhere: false }),
    });
    const watcher = new RegistryWatcher(
      store.db,
      store.devices,
      {
        added: (d) => bus.emit('device.registered', { device: d, elsewhere: true }),
        changed: (d) => bus.emit('device.registered', { device: d, elsewhere: true }),
        revoked: (id, why) => bus.emit('device.revoked', { id, why, elsewhere: true }),
      },
      registryLog,
    );
    this.tokens = new StaffTokens(store.tokens, writer, clock);

    // one budget per turn for connections, subscriptions and uplinks: a reconnect storm is spread over
    // turns instead of blocking the loop; uplinks keep their order (one queue)
    const turns = new TurnBudget(TURN_BUDGET_MS, () => clock.monotonic());
    const localTls = LocalTls.forConfig(config, clock, log);
    this.tls = localTls;
    const broker = new LinliBroker({
      ...(localTls ? { tlsCredentials: () => localTls.credentials() } : {}),
      config: config.mqtt,
      log: log.child({ component: 'broker' }),
      clock,
      credentials: this.devices,
      stamper,
      onPresence: (e) => bus.emit('device.presence', e),
      turns,
    });
    this.broker = broker;
    // what the gateway publishes is counted by channel (metrics)
    const counted = countingPublisher(broker, (c) => this.metrics.countMessageOut(c));
    const downlink = new Downlink(counted, stamper, log.child({ component: 'downlink' }));
    const { health, monitor, announce } = wireDeviceHealth({
      config,
      clock,
      log,
      bus,
      store,
      writer,
      publisher: counted,
      outbox,
    });
    this.health = health;
    this.monitor = monitor;
    const ha = HomeAssistantDiscovery.forConfig(config, { bus, store, broker, log });
    this.announceDevices = announce;
    const { discover } = bridgeRegistry({ bus, log, store, watcher, monitor, broker, writer });
    this.commands = new CommandService(downlink, clock, log.child({ component: 'commands' }));
    const alerts = wireAlerts({
      bus,
      store,
      writer,
      clock,
      log,
      cloud: () => this.cloud,
      clockHealth: this.clockHealth,
      hotlistStale: () => this.hotlistStale(),
      restorePending: () => this.restorePending(),
      config,
      outbox,
    });
    this.alerts = alerts.service;
    this.alertsTick = alerts.tick;
    this.alertWebhooks = alerts.webhooks;
    const samples = TelemetrySamples.wire({ store, writer, clock, log, bus, health: config.health });
    this.telemetry = samples;

    this.redemption = createRedemptionEngine({
      store,
      config,
      clock,
      log,
      downlink,
      writer,
      outbox,
      // [CLP-5.12] until a restored box has the lost box's payments back, plain cards cannot pay
      ...(outbox ? { strictLowTrust: () => this.hotlistStale() || this.restorePending() } : {}),
      onSettled: (e) => bus.emit('redemption.settled', e),
      onAnswered: (s, body) => this.metrics.observeRedemption(s, redemptionOutcome(body)),
    });
    this.prepaid = createPrepaid({
      db: store.db,
      reader: store.reader,
      ledger: this.redemption.ledger,
      writer,
      outbox,
      clock,
      log: log.child({ component: 'prepaid' }),
      timezone: config.gateway.timezone,
      config: config.prepaid,
    });
    this.privacy = createPrivacy({
      db: store.db,
      reader: store.reader,
      writer,
      outbox,
      clock,
      log: log.child({ component: 'privacy' }),
      config: config.privacy,
    });
    // the birth in memory first: its persisted copy is written by the group-commit writer a moment later
    const capabilitiesOf = (id: string) => monitor.get(id)?.capabilities ?? store.devices.get(id)?.capabilities;
    const setFinding = (id: string, key: string, finding: HealthFinding | undefined) =>
      monitor.setFinding(id, key, finding);
    const engine = this.redemption;
    this.kinds = buildKindParts(
      store.db,
      {
        writer,
        service: engine.service,
        resolver: engine.resolver,
        catalog: engine.catalog,
        redemptions: engine.redemptions,
        ledger: engine.ledger,
        secrets: engine.secrets,
        settings: {
          flows: config.flows,
          timezone: config.gateway.timezone,
          leftOpenMs: config.health.doorOpenAlertS * 1000,
        },
        publishRetained: (topic, payload) => {
          broker
            .publish(topic, payload, { qos: 1, retain: true })
            .catch((err: unknown) => log.debug({ err, topic }, 'retained message not published'));
        },
        clock,
        outbox,
        capabilitiesOf,
        setFinding,
        alert: (a) => bus.emit('alert.raised', a),
      },
      {
        log,
        send: (id, name, args) => {
          const live = monitor.get(id);
          if (!live) return Promise.reject(new Error(`no device ${id} to command`));
          return this.commands.send(id, live.kind, { name, args });
        },
      },
    );
    for (const flow of this.kinds.requests) this.redemption.handler.use(flow);
    this.router = buildDeviceRouter({
      log,
      limits: config.limits,
      monitor,
      commands: this.commands,
      downlink,
      writer,
      devices: this.devices,
      registry: store.devices,
      kinds: this.kinds,
      requests: this.redemption.handler,
      samples,
      discover,
    });
    this.rollouts = new RolloutService(store.db, {
      commands: this.commands,
      writer,
      clock,
      log: log.child({ component: 'rollouts' }),
      outbox,
      devicesOfKind: (kind) =>
        store.devices
          .list()
          .filter((d) => d.kind === kind && !d.disabled)
          .map((d) => d.id),
      ready: (id) => {
        const d = monitor.get(id);
        return d !== undefined && d.presence === 'online' && d.born;
      },
      kindOf: (id) => monitor.get(id)?.kind,
    });
    this.hardware = this.hardwareOverride ?? createBoxHardware(config.box.hardware, log.child({ component: 'box' }));
    this.desk = new DeskReader({
      hardware: this.hardware,
      door: this.kinds.deskDoor,
      clock,
      log: log.child({ component: 'desk-reader' }),
      role: config.box.deskReader,
      deviceId: 'box',
      doorId: config.box.door,
    });
    bus.on('alert.raised', (a) => {
      log.error({ deviceId: a.deviceId, code: a.code, alert: true }, a.message);
      this.lastAlertMono = clock.monotonic();
    });

    const router = this.router;
    this.housekeeping = new Housekeeping({
      clock,
      log,
      db: store.db,
      writer,
      clockHealth: this.clockHealth,
      watcher,
      monitor,
      health,
      router,
      rollouts: this.rollouts,
      redemption: this.redemption,
      kinds: this.kinds,
      hardware: this.hardware,
      desk: this.desk,
      connections: () => broker.stats().connections,
      outbox,
      cloud: () => this.cloud,
      telemetryEveryS: config.cloud.telemetryEveryS,
      lastAlertMono: () => this.lastAlertMono,
    });
    return [
      { name: 'store', stop: () => store.close() },
      // what is queued is written before the database closes
      {
        name: 'writer',
        stop: async () => {
          writer.stop();
          await writer.settled();
          wal?.close();
        },
      },
      // the registry as it stands now: later changes by another process are what the watcher reports
      { name: 'registry', start: () => watcher.prime() },
      // each kind's own tables and start (what a restart left in progress), before the broker lets devices in
      { name: 'kinds', start: () => this.kinds.start() },
      {
        name: 'box hardware',
        // a missing reader, daemon or GPIO is a health warning, never a failed start
        start: async () => {
          await this.hardware.start().catch((err: unknown) => log.warn({ err }, 'box hardware did not start'));
          for (const h of this.hardware.health())
            if (h.warning && h.state !== 'disabled') log.warn({ component: h.component, state: h.state }, h.warning);
        },
        stop: async () => {
          this.hardware.led.show('off');
          await this.hardware.stop();
        },
      },
      // issued or renewed before the broker serves it, then checked daily
      ...(localTls ? [localTls.part((c) => broker.setTlsCredentials(c))] : []),
      {
        name: 'broker',
        start: async () => {
          this.ports = await broker.start();
          await broker.subscribe(topics.allUplinks(), (m) => {
            this.metrics.countMessageIn(channelOf(m.topic));
            turns.run(() => router.handle(m.topic, m.payload));
          });
          await this.publishGatewayState('online');
          this.announceDevices();
          await ha?.start();
        },
        stop: async () => {
          ha?.stop();
          // [FWP-10.1] devices see the gateway go offline before their connections close
          await this.publishGatewayState('offline').catch(() => undefined);
          // changes from here on (every device going offline) are stored, no longer published
          health.stopPublishing();
          // give the offline state a moment on the wire before the sockets close under it
          await new Promise((r) => setTimeout(r, 150));
          await broker.stop();
        },
      },
      // after the broker answers: prom-client takes some 40 ms to load, the devices do not wait for it
      this.metrics.part(() => ({
        monitor,
        broker,
        writer,
        cloudStatus: () => this.cloud?.status(),
        openAlerts: () => this.alerts.openAlerts(),
        loopLag: this.loopLag,
        eventsEmitted: () => bus.emitted(),
        bus,
        kinds: DEVICE_KINDS,
        now: () => clock.now(),
        info: { gatewayId: config.gateway.id, bootId: this.bootId, protocol: PROTOCOL_VERSION },
      })),
      { name: 'commands', stop: () => this.commands.stop() },
      { name: 'alert webhooks', stop: () => this.alertWebhooks.stop() },
      {
        name: 'http',
        start: async () => {
          // loaded only now: the broker already answers CONNECTs while fastify and its plugins load
          const { startHttpServer } = await import('./http/server.ts');
          this.http = await startHttpServer(this);
        },
        stop: () => this.http?.close(),
      },
      {
        name: 'cloud',
        start: async () => {
          if (!outbox) return;
          // mqtt.js and the cloud contract are loaded only by a gateway that syncs
          const { startCloudSync } = await import('./cloud/wire-cloud.ts');
          const sync = startCloudSync({
            config,
            clock,
            log,
            writer,
            db: store.db,
            bootId: this.bootId,
            outbox,
            redemption: this.redemption,
            kindDocs: this.kinds.cloudDocs,
            rollouts: this.rollouts,
            settings: this.settings,
            clockHealth: this.clockHealth,
          });
          this.docs = sync.docs;
          this.restorePending = () => sync.recovery.pending();
          this.cloud = sync.cloud;
          this.anchorLedger = sync.anchorLedger;
          this.stopCloudSync = sync.stop;
        },
        stop: () => this.stopCloudSync?.(),
      },
      // scheduled backups (config `backup`) on the injected clock; one under way stops before the database closes
      wireBackups({ config, db: store.db, clock, log, alerts: () => this.alerts }),
      // PIPL retention: detail past its period aggregated or pseudonymised, in short write units
      { name: 'privacy retention', start: () => this.privacy.start(), stop: () => this.privacy.stop() },
      // 日结: what a stopped gateway missed at once, then the first check after each local midnight
      { name: 'daily close', start: () => this.prepaid.start(), stop: () => this.prepaid.stop() },
      {
        name: 'ticker',
        // on the injected clock: a test's ManualClock runs it when time moves, never a real second later
        start: () => {
          this.loopLag.start();
          this.stopTicker = clock.every(1000, () => {
            const t = this.tick();
            this.ticking.add(t);
            void t.finally(() => this.ticking.delete(t));
          });
        },
        stop: async () => {
          this.loopLag.stop();
          this.stopTicker?.();
          await Promise.all(this.ticking);
        },
      },
    ];
  }

  /**
   * Synced with a cloud, the gateway vouches for plain UID cards only while its hotlist is fresh: none
   * yet, older than `cloud.hotlistMaxAgeH`, or a local clock behind the cloud's (untrusted) is stale.
   */
  hotlistStale(): boolean {
    const at = this.docs?.issuedAt('hotlist');
    if (at === undefined || !this.clockHealth.trusted()) return true;
    const age = this.clock.now() - at;
    return age > this.settings.hotlistMaxAgeH * 3600_000 || age < -5 * 60_000;
  }

  /**
   * The once-a-second housekeeping (clock health, registry, device health, flow timeouts, hold expiry,
   * the LED). Resolves when its asynchronous parts are done; tests call it after moving a ManualClock.
   */
  tick(): Promise<void> {
    this.alertsTick();
    this.telemetry.tick();
    return this.housekeeping.tick();
  }

  private async publishGatewayState(state: 'online' | 'offline'): Promise<void> {
    const msg: GatewayState = { state, ts: this.clock.now(), protocol: PROTOCOL_VERSION, bootId: this.bootId };
    await this.broker.publish(topics.gatewayState(), JSON.stringify(msg), { qos: 1, retain: true });
  }
}
