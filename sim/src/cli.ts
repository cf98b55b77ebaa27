import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../../gateway/core/log.ts';
import { credentialsFromApi, readCredentialsFile } from './credentials.ts';
import { fleetIds, SimFleet } from './fleet.ts';
import { demoResidents } from './residents.ts';
import { SCENARIOS } from './scenarios.ts';

const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new InvalidArgumentError('expected a whole number 0-1000');
  return n;
};

interface SimOptions {
  url: string;
  lockers: number;
  vending: number;
  doors: number;
  scanners: number;
  credentials?: string;
  api?: string;
  token?: string;
  scenario: string;
  duration?: number;
  seed: number;
  interval: number;
  logLevel: string;
}

/** `linli sim`: simulated devices against any Linli gateway. */
export async function runSimCli(argv: string[]): Promise<void> {
  const program = new Command('linli sim')
    .description('run simulated parcel lockers, vending machines, door readers and shop scanners against a Linli gateway')
    .option('--url <url>', 'the gateway broker', 'mqtt://127.0.0.1:1883')
    .option('--lockers <n>', 'parcel lockers', count, 0)
    .option('--vending <n>', 'vending machines', count, 0)
    .option('--doors <n>', 'NFC door readers', count, 0)
    .option('--scanners <n>', 'shop scanners', count, 0)
    .option('--credentials <file>', 'JSON file [{"id","kind","secret"}] instead of counts and --api')
    .option('--api <url>', 'gateway staff API to provision the devices (with --token), e.g. http://127.0.0.1:8080')
    .option('--token <token>', 'admin API token for --api')
    .option('--scenario <name>', `behaviour: ${SCENARIOS.join(' | ')}`, 'steady')
    .option('--duration <s>', 'stop by itself after this many seconds', count)
    .option('--seed <n>', 'seed for reproducible scenarios', count, 42)
    .option('--interval <ms>', 'time between scenario steps', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 100 || n > 600_000) throw new InvalidArgumentError('expected milliseconds, 100-600000');
      return n;
    }, 3000)
    .option('--log-level <level>', 'log level', 'info')
    .addHelpText('after', '\nExample: linli sim --api http://127.0.0.1:8080 --token llt_... --lockers 3 --vending 2 --doors 4 --scanners 2 --scenario faults\nScenarios with residents (shopping, daily-life, morning-rush, holiday-peak, locker-full, vend-failures, door-left-open) act for the demo community: load it first with `linli load --demo`.')
    .action(async (o: SimOptions) => {
      if (!(SCENARIOS as readonly string[]).includes(o.scenario)) throw new InvalidArgumentError(`unknown scenario "${o.scenario}"`);
      const log = createLogger({ level: o.logLevel });
      const plan = { lockers: o.lockers, vending: o.vending, doors: o.doors, scanners: o.scanners };
      let credentials;
      if (o.credentials) credentials = readCredentialsFile(o.credentials);
      else if (o.api && o.token) credentials = await credentialsFromApi(o.api, o.token, fleetIds(plan));
      else throw new Error('give --credentials FILE, or --api URL with --token TOKEN to provision the devices');
      if (credentials.length === 0) throw new Error('no devices: give counts (--lockers, --vending, --doors, --scanners) or a credentials file');
      const fleet = new SimFleet({ url: o.url, credentials, log });
      await fleet.start();
      // residents are the demo community's members (load it into the gateway with `linli load --demo`)
      fleet.runScenario(o.scenario, { seed: o.seed, intervalMs: o.interval, residents: demoResidents() });
      for (const d of fleet.devices) process.stdout.write(`${d.id.padEnd(14)} ${d.kind.padEnd(16)} connected, bdSeq ${d.bdSeq}\n`);
      process.stdout.write(`${fleet.devices.length} devices running scenario "${o.scenario}"${o.duration ? ` for ${o.duration} s` : ''}; Ctrl-C stops.\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
        if (o.duration) setTimeout(resolve, o.duration * 1000);
      });
      await fleet.stop();
      process.stdout.write('simulated devices stopped\n');
    });
  await program.parseAsync(argv);
}
