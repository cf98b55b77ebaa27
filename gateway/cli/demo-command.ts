import { silentLogger } from '../core/log.ts';
import { Command } from 'commander';
import type { SimFleet, SimFleetPlan } from '../../sim/src/index.ts';
import type { Gateway } from '../app.ts';
import { parsePort, configFrom, type CommonOptions } from './common.ts';
import { runGateway } from './run-gateway.ts';
import { loadInto } from './redemption-commands.ts';
import { demoFixture } from '../redemption/demo-fixture.ts';
import { FixtureSchema } from '../redemption/fixture.ts';
import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';

interface DemoOptions extends CommonOptions {
  mqttPort?: number;
  httpPort?: number;
  lockers: number;
  vending: number;
  doors: number;
  scanners: number;
  scenario: string;
}

const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 200) throw new Error('expected a whole number 0-200');
  return n;
};

/** Gives every simulated device a fresh secret: provisioned if new, rotated if it exists (secrets are never stored in clear). */
async function credentialsFor(gw: Gateway, plan: SimFleetPlan): Promise<{ id: string; kind: DeviceKind; secret: string }[]> {
  const { fleetIds } = await import('../../sim/src/index.ts');
  const creds = [];
  for (const { id, kind, merchantId } of fleetIds(plan)) {
    const existing = gw.store.devices.get(id);
    if (existing && existing.kind !== kind) throw new Error(`device ${id} exists as ${existing.kind}; use another --data folder for the demo`);
    if (existing?.disabled) gw.devices.setDisabled(id, false);
    const { secret } = existing ? await gw.devices.rotateSecret(id) : await gw.devices.provision({ id, kind, name: `Simulated ${kind.replace('_', ' ')}`, ...(merchantId ? { merchantId } : {}) });
    creds.push({ id, kind, secret });
  }
  return creds;
}

/** `linli demo` (what `npm start` runs): gateway, broker, SQLite and simulated devices on this machine. */
export function demoCommand(): Command {
  return new Command('demo')
    .description('start the gateway with simulated devices of every kind on localhost (what `npm start` runs)')
    .option('-d, --data <dir>', 'data folder (default ./data)')
    .option('--mqtt-port <n>', 'MQTT port (default 1883; 0 = any free port)', parsePort)
    .option('--http-port <n>', 'HTTP port (default 8080; 0 = any free port)', parsePort)
    .option('--lockers <n>', 'simulated parcel lockers', count, 2)
    .option('--vending <n>', 'simulated vending machines', count, 2)
    .option('--doors <n>', 'simulated NFC door readers', count, 3)
    .option('--scanners <n>', 'simulated shop scanners', count, 2)
    .option('--scenario <name>', 'simulator scenario: steady | faults | flapping | garbage', 'faults')
    .action(async (opts: DemoOptions) => {
      const base = configFrom({ ...opts, config: undefined }, { mqttPort: opts.mqttPort, httpPort: opts.httpPort });
      // The demo listens on loopback only: simulated devices run in this process.
      // Every simulated device connects from 127.0.0.1, so the per-address connection rate is lifted.
      // the cloud platform, simulated in this process on its own loopback broker (aedes speaks MQTT 3.1.1)
      const { startEmbeddedCloud } = await import('../../sim/src/index.ts');
      const cloud = await startEmbeddedCloud(silentLogger());
      const config = {
        ...base,
        cloud: { ...base.cloud, enabled: true, url: cloud.url, protocolVersion: 4 as const, signingKeys: [cloud.signingKey] },
        mqtt: { ...base.mqtt, host: '127.0.0.1', connectsPerMinutePerAddress: 100_000 },
        http: { ...base.http, host: '127.0.0.1' },
        log: { ...base.log, pretty: base.log.pretty || process.stdout.isTTY === true },
      };
      let fleet: SimFleet | undefined;
      await runGateway(config, {
        onStarted: async (gw, endpoints, log) => {
          const plan: SimFleetPlan = { lockers: opts.lockers, vending: opts.vending, doors: opts.doors, scanners: opts.scanners };
          const creds = await credentialsFor(gw, plan);
          for (const t of gw.tokens.list()) if (t.label === 'demo' && t.revokedAt === null) gw.tokens.revoke(t.id);
          const token = gw.tokens.create('admin', 'demo').token;
          const { SimFleet, demoResidents } = await import('../../sim/src/index.ts');
          fleet = new SimFleet({ url: `mqtt://127.0.0.1:${endpoints.mqttPort}`, credentials: creds, log: log.child({ component: 'sim' }) });
          await fleet.start();
          fleet.runScenario(opts.scenario, { residents: demoResidents() });
          // the demo community: members with cards, coupons and balances, so purchases redeem real benefits
          const community = FixtureSchema.parse(demoFixture());
          if (gw.redemption.catalog.memberCount() === 0) {
            const loaded = loadInto(gw.store, config.dataDir, community);
            log.info(loaded, 'demo community loaded');
          }
          // residents may open their building's doors; staff everywhere
          for (const tier of new Set(community.members.map((m) => m.tier))) gw.flows.accessRepo.addRule({ id: `demo-${tier}`, tier, zone: 'residential', weekdays: '1234567', fromMin: 0, toMin: 1440 });
          for (const d of creds.filter((c) => c.kind === 'door_reader')) gw.flows.accessRepo.setZone(d.id, 'main', 'residential');
          fleet.runScenario('daily-life', { residents: demoResidents(), intervalMs: 3000, seed: 7 });
          const lines = [
            '',
            '  Linli gateway demo is running.',
            `  MQTT broker      mqtt://127.0.0.1:${endpoints.mqttPort}   (${creds.length} simulated devices connected)`,
            `  Dashboard        ${endpoints.httpUrl}/#token=${token}`,
            `  Staff API        ${endpoints.httpUrl}/api/v1/devices`,
            `  API docs         ${endpoints.httpUrl}/docs`,
            `  Health           ${endpoints.httpUrl}/healthz`,
            `  Database         ${endpoints.database}`,
            `  Cloud (simulated) ${cloud.url}   events flow up from the outbox; see /healthz "cloud"`,
            `  Admin token      ${token}`,
            '',
            `  Try: curl -s -H "Authorization: Bearer ${token}" ${endpoints.httpUrl}/api/v1/devices`,
            `  Scenario "${opts.scenario}": devices report faults, doors left open and warm fridges now and then;`,
            '  residents pay at the shop scanners and buy at the vending machines every few seconds.',
            '  Ctrl-C stops everything cleanly.',
            '',
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        },
        // runs after the gateway stopped (it announced offline to the cloud first)
        beforeStop: async () => {
          await fleet?.stop();
          await cloud.stop();
        },
      });
    });
}
