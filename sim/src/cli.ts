import { KIND_MODULES } from '../../devices/registry.ts';
import { Command, InvalidArgumentError } from 'commander';
import { isScenario, scenarioHelp, SCENARIOS } from './scenario-table.ts';

const count = (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 1000) throw new InvalidArgumentError('expected a whole number 0-1000');
  return n;
};

const scenario = (v: string) => {
  if (!isScenario(v)) throw new InvalidArgumentError(`unknown scenario; choose one of: ${SCENARIOS.join(', ')}`);
  return v;
};

export type { SimOptions } from './sim-options.ts';
import type { SimOptions } from './sim-options.ts';

/**
 * `linli sim`: simulated devices against any Linli gateway. The options are parsed here; the fleet and
 * its MQTT clients are loaded only when the command runs, so `--help` stays instant.
 */
export function simCommand(): Command {
  const cmd = new Command('sim');
  for (const m of KIND_MODULES) cmd.option(`--${m.sim.option} <n>`, m.sim.describe, count, 0);
  return cmd
    .description(
      `run simulated devices (${KIND_MODULES.map((m) => m.wire.label.toLowerCase()).join(', ')}) ` +
        'against a Linli gateway',
    )
    .option(
      '--url <url>',
      'the gateway broker (plain mqtt:// only where the gateway allows it)',
      'mqtts://127.0.0.1:8883',
    )
    .option(
      '--ca <file>',
      "for mqtts://: the gateway's CA certificate, its <data>/tls/ca.crt (linli provision prints it)",
    )
    .option(
      '--credentials <file>',
      'JSON file [{"id","kind","secret"}] of devices provisioned already, instead of counts and --api',
    )
    .option(
      '--api <url>',
      'gateway staff API to create the simulated devices (with --token), e.g. http://127.0.0.1:8080',
    )
    .option('--token <token>', 'admin API token for --api')
    .option('--scenario <name>', 'behaviour (see the list below)', scenario, 'steady')
    .option('--duration <s>', 'stop by itself after this many seconds', count)
    .option('--seed <n>', 'seed for reproducible scenarios', count, 42)
    .option(
      '--interval <ms>',
      'time between scenario steps',
      (v: string) => {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 100 || n > 600_000)
          throw new InvalidArgumentError('expected milliseconds, 100-600000');
        return n;
      },
      3000,
    )
    .option('--log-level <level>', 'log level', 'info')
    .addHelpText(
      'after',
      `
Devices: with --api the simulator creates devices of its own only: ids starting with sim- (sim-locker-01,
sim-vm-01, sim-door-01, sim-scanner-01 …) named "Simulated … (linli sim)". A sim- device it created on
an earlier run gets a new secret; any other device — a real one, or one staff disabled — is never
rotated, enabled or reused: the simulator passes it by, takes the next free number and says which.

Scenarios:
${scenarioHelp()}
Scenarios with residents act for the demo community: load it first with \`linli load --demo\`.

Example: linli sim --api http://127.0.0.1:8080 --token llt_... --lockers 3 --vending 2 ` +
        '--doors 4 --scanners 2 --scenario faults',
    )
    .action(async (o: SimOptions) => {
      const { runSim } = await import('./run-sim.ts');
      await runSim(o);
    });
}
