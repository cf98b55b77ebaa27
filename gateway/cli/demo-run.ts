import type { Gateway, GatewayEndpoints } from '../app.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../core/log.ts';
import { activityLine, activitySince } from '../http/activity.ts';
import { demoFixture } from '../redemption/demo-fixture.ts';
import { FixtureSchema } from '../redemption/fixture.ts';
import { loadFixture } from '../redemption/load-fixture.ts';
import { account } from '../redemption/service/ports.ts';
import { demoResidents, SimFleet, type DemoCardKeys, type SimFleetPlan } from '../../sim/src/index.ts';
import { demoOpening } from '../../sim/src/demo-tour.ts';
import type { EmbeddedCloud } from '../../sim/src/embedded-cloud.ts';
import type { DemoConsole } from './demo-console.ts';
import { demoCredentials } from './demo-devices.ts';
import { stableDemoToken } from './demo-token.ts';

interface DemoSettings {
  plan: SimFleetPlan;
  scenario: string;
  /** Time between daily-life steps (a purchase, a vend, a parcel, a door). */
  intervalMs: number;
  summaryEveryS: number;
}

/** MQTT over TLS when it listens (the default), else the plain port. */
function brokerUrl(e: GatewayEndpoints): string {
  return e.mqttTlsPort !== undefined ? `mqtts://127.0.0.1:${e.mqttTlsPort}` : `mqtt://127.0.0.1:${e.mqttPort}`;
}

/** The demo around a running gateway: its community, simulated devices and residents, the console summary. */
export class DemoRun {
  private fleet: SimFleet | undefined;
  /** The local CA the simulated devices trust, for the banner. */
  private caFile: string | undefined;
  private summary: NodeJS.Timeout | undefined;
  private readonly opening = new AbortController();

  constructor(
    private readonly s: DemoSettings,
    private readonly config: Config,
    private readonly cloud: EmbeddedCloud,
    private readonly keys: DemoCardKeys,
    private readonly console: DemoConsole,
  ) {}

  async start(gw: Gateway, endpoints: GatewayEndpoints, log: Logger): Promise<void> {
    const startedAt = gw.clock.now();
    this.loadCommunity(gw, log);
    // the simulated cloud keeps the hotlist fresh, as the platform does: a stale one stops plain cards
    await this.cloud.keepHotlistFresh(this.config.gateway.id, () => gw.docs?.version('hotlist') ?? 0);
    const { credentials, passed } = await demoCredentials(gw, this.s.plan);
    this.caFile = gw.tls?.current?.paths.caCert;
    const { token, reused, file } = await stableDemoToken(gw.tokens, this.config.dataDir);
    // residents pay with what they hold: a plain card (capped), a secure NTAG 424 card or the member QR code
    const { catalog, secrets, ledger } = gw.redemption;
    const residents = demoResidents({
      keys: this.keys,
      lastCounter: (type, id) => catalog.credential(secrets.lookupKey(type, id))?.lastCounter ?? undefined,
    });
    const fleet = new SimFleet({
      url: brokerUrl(endpoints),
      ...(gw.tls?.current ? { tls: { ca: gw.tls.current.ca } } : {}),
      credentials,
      log: log.child({ component: 'sim' }),
    });
    this.fleet = fleet;
    await fleet.start();
    // each kind's setup of its simulated devices (who may open the doors)
    gw.kinds.demoSetup(credentials);
    fleet.runScenario(this.s.scenario, { residents });
    const holds = {
      walletFen: (id: string) => ledger.balance(account.wallet(id), 'fen'),
      usable: (id: string, campaignId: string) =>
        catalog
          .instancesOf(id)
          .some((i) => i.campaignId === campaignId && i.status === 'active' && (i.expiresAt ?? Infinity) > Date.now()),
    };
    // one of everything first, then ordinary daily life
    void demoOpening(fleet.devices, residents, log.child({ component: 'sim' }), {
      holds,
      signal: this.opening.signal,
    }).then(() => {
      if (!this.opening.signal.aborted)
        fleet.runScenario('daily-life', { residents, intervalMs: this.s.intervalMs, seed: 7 });
    });
    this.summary = setInterval(() => {
      gw.writer.flush();
      this.console.line(
        `[${new Date().toTimeString().slice(0, 8)}] ${activityLine(activitySince(gw.store.reader, startedAt))}`,
      );
    }, this.s.summaryEveryS * 1000);
    this.summary.unref();
    this.banner(endpoints, { token, reused, file, devices: credentials.length, passed });
  }

  /** Simulated devices leave first, while the gateway still runs: a clean stop, nothing to warn about. */
  async stop(): Promise<void> {
    this.opening.abort();
    if (this.summary) clearInterval(this.summary);
    await this.fleet?.stop();
  }

  /** The demo community, through the engine's own catalog (its campaign cache sees them at once). */
  private loadCommunity(gw: Gateway, log: Logger): void {
    if (gw.redemption.catalog.memberCount() > 0) return;
    const now = gw.clock.now();
    gw.writer.flush();
    const loaded = loadFixture(
      gw.store.db,
      gw.redemption.catalog,
      gw.redemption.secrets,
      gw.redemption.openingBalances,
      FixtureSchema.parse(demoFixture({ now })),
      now,
    );
    log.info(loaded, 'demo community loaded');
  }

  private banner(
    endpoints: GatewayEndpoints,
    t: { token: string; reused: boolean; file: string; devices: number; passed: { id: string; why: string }[] },
  ): void {
    const url = endpoints.httpUrl;
    const lines = [
      '',
      '  Linli gateway demo is running.',
      `  Dashboard          ${url}/#token=${t.token}`,
      `  Admin token        ${t.token}`,
      `                     ${t.reused ? 'the same as last time' : 'new'}; kept in ${t.file}` +
        ' for the next demo on this data folder',
      `  Staff API          ${url}/api/v1/devices   activity: ${url}/api/v1/activity   docs: ${url}/docs`,
      `  Health             ${url}/healthz`,
      `  MQTT broker        ${brokerUrl(endpoints)}   (${t.devices} simulated devices, ids sim-…)`,
      ...(this.caFile ? [`  Broker's CA        ${this.caFile}   (devices trust it: linli provision prints it)`] : []),
      ...t.passed.map((p) => `                     ${p.id} left untouched: ${p.why}`),
      `  Database           ${endpoints.database}`,
      `  Cloud (simulated)  ${this.cloud.url}   events flow up; a fresh signed hotlist comes down`,
      '',
      `  Try: curl -s -H "Authorization: Bearer ${t.token}" ${url}/api/v1/activity`,
      `  Scenario "${this.s.scenario}" runs beside daily life: 300 residents shop with their cards and member codes`,
      '  (benefits applied without a step: 无感核销), vend, collect parcels and come home.',
      `  Every ${this.s.summaryEveryS} s a summary line; warnings only otherwise (--verbose shows every event). ` +
        'Ctrl-C stops cleanly.',
      '',
    ];
    this.console.line(lines.join('\n'));
  }
}
