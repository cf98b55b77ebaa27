import { Command, InvalidArgumentError } from 'commander';
import * as z from 'zod';
import { KIND_MODULES } from '../../devices/registry.ts';
import { isScenario, scenarioHelp, SCENARIOS } from '../../sim/src/scenario-table.ts';
import { configFrom, parsePort, type CommonOptions } from './common.ts';

interface DemoOptions extends CommonOptions {
  mqttsPort?: number;
  httpPort?: number;
  scenario: string;
  interval: number;
  summaryEvery: number;
  logLevel?: string;
}

const whole =
  (min: number, max: number, what = 'a whole number') =>
  (v: string) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`expected ${what} ${min}-${max}`);
    return n;
  };
const count = whole(0, 200);
const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** `linli demo` (what `npm start` runs): gateway, broker, SQLite and simulated devices on this machine. */
export function demoCommand(): Command {
  const cmd = new Command('demo');
  // one count per device kind of the registry, e.g. --lockers 2 --piles 1
  for (const m of KIND_MODULES) cmd.option(`--${m.sim.option} <n>`, `simulated ${m.sim.describe}`, count, m.sim.demo);
  return cmd
    .description(
      'start the gateway with simulated devices of every kind and a community of residents on localhost ' +
        '(what `npm start` runs)',
    )
    .option('-d, --data <dir>', 'data folder (default ./data); the admin token is kept there between runs')
    .option('--mqtts-port <n>', 'MQTT over TLS port (default 8883; 0 = any free port)', parsePort)
    .option('--http-port <n>', 'HTTP port (default 8080; 0 = any free port)', parsePort)
    .option(
      '--scenario <name>',
      'device behaviour beside daily life (see the list below)',
      (v: string) => {
        if (!isScenario(v)) throw new InvalidArgumentError(`unknown scenario; choose one of: ${SCENARIOS.join(', ')}`);
        return v;
      },
      'faults',
    )
    .option(
      '--interval <ms>',
      'time between daily-life steps (a purchase, a vend, a parcel, a door)',
      whole(100, 600_000, 'milliseconds'),
      3000,
    )
    .option('--summary-every <s>', 'seconds between the activity summary lines', whole(1, 3600, 'seconds'), 30)
    .option(
      '--log-level <level>',
      'console log level (default warn; --verbose: info); env LINLI_LOG_LEVEL',
      (v: string) => {
        const r = LogLevel.safeParse(v);
        if (!r.success) throw new InvalidArgumentError(`expected one of ${LogLevel.options.join(', ')}`);
        return r.data;
      },
    )
    .addHelpText('after', `\nScenarios (daily life runs beside the one chosen):\n${scenarioHelp()}`)
    .action(async (opts: DemoOptions & Record<string, unknown>, cmd: Command) => {
      const verbose = (cmd.optsWithGlobals() as { verbose?: boolean }).verbose === true;
      const level = opts.logLevel ?? (process.env.LINLI_LOG_LEVEL || (verbose ? 'info' : 'warn'));
      const base = configFrom({ ...opts, config: undefined }, { httpPort: opts.httpPort, logLevel: level });
      const { DemoConsole } = await import('./demo-console.ts');
      const { DemoRun } = await import('./demo-run.ts');
      const { runGateway } = await import('./run-gateway.ts');
      const { startEmbeddedCloud, generateDemoCardKeys, redemptionSettingsFor } = await import(
        '../../sim/src/index.ts'
      );
      const screen = new DemoConsole({
        level: base.log.level,
        pretty: base.log.pretty || process.stdout.isTTY === true,
      });
      // the cloud platform, simulated in this process on its own loopback broker (aedes speaks MQTT 3.1.1)
      const cloud = await startEmbeddedCloud(screen.log.child({ component: 'cloud-sim' }));
      const keys = generateDemoCardKeys();
      const config = {
        ...base,
        cloud: {
          ...base.cloud,
          enabled: true,
          url: cloud.url,
          protocolVersion: 4 as const,
          signingKeys: [cloud.signingKey],
        },
        // simulated devices run in this process: loopback only, and all connect from 127.0.0.1, over TLS
        // trusting the demo's own local CA (<data>/tls/ca.crt), as real devices do
        mqtt: {
          ...base.mqtt,
          host: '127.0.0.1',
          connectsPerMinutePerAddress: 100_000,
          tls: {
            ...base.mqtt.tls,
            host: '127.0.0.1',
            ...(opts.mqttsPort !== undefined ? { port: opts.mqttsPort } : {}),
          },
        },
        http: { ...base.http, host: '127.0.0.1' },
        // the residents' secure cards and member QR codes are verified with the demo community's keys
        redemption: { ...base.redemption, ...redemptionSettingsFor(keys) },
      };
      const plan = Object.fromEntries(KIND_MODULES.map((m) => [m.sim.option, opts[m.sim.option] as number]));
      const run = new DemoRun(
        { plan, scenario: opts.scenario, intervalMs: opts.interval, summaryEveryS: opts.summaryEvery },
        config,
        cloud,
        keys,
        screen,
      );
      await runGateway(config, {
        command: 'linli demo',
        log: screen.log,
        onStarted: (gw, endpoints, log) => run.start(gw, endpoints, log),
        beforeGatewayStop: async () => {
          screen.quiet();
          await run.stop();
        },
        afterStop: () => cloud.stop(),
      });
    });
}
