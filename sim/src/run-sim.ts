import { readFileSync } from 'node:fs';
import { KIND_MODULES } from '../../devices/registry.ts';
import { createLogger } from '../../gateway/core/log.ts';
import { UserError } from '../../gateway/cli/user-error.ts';
import type { SimOptions } from './sim-options.ts';
import { credentialsFromApi, readCredentialsFile } from './credentials.ts';
import { SimFleet, type SimCredential } from './fleet.ts';
import { demoResidents } from './residents.ts';

const out = (line: string) => void process.stdout.write(`${line}\n`);

/** The CA the simulated devices pin, as real ones do [FWP-1.4]. */
function caOf(o: SimOptions): { ca: Buffer } {
  if (!o.ca)
    throw new UserError(
      `${o.url} is MQTT over TLS: the simulated devices need the gateway's CA to trust it`,
      "give --ca DATA/tls/ca.crt (the gateway's data folder; linli provision prints it too)",
    );
  try {
    return { ca: readFileSync(o.ca) };
  } catch (err) {
    throw new UserError(`--ca ${o.ca}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}

/** Gets the devices' credentials, connects them and runs the scenario until Ctrl-C or `--duration`. */
export async function runSim(o: SimOptions): Promise<void> {
  const plan = Object.fromEntries(KIND_MODULES.map((m) => [m.sim.option, Number(o[m.sim.option] ?? 0)]));
  let credentials: SimCredential[];
  if (o.credentials) credentials = readCredentialsFile(o.credentials);
  else if (o.api && o.token) {
    const got = await credentialsFromApi(o.api, o.token, plan);
    for (const p of got.passed) out(`${p.id.padEnd(18)} left untouched: ${p.why}`);
    for (const c of got.claimed)
      out(
        `${c.id.padEnd(18)} ${c.kind.padEnd(16)} ` +
          `${c.action === 'created' ? 'created' : 'created by linli sim before: new secret'}`,
      );
    credentials = got.credentials;
  } else {
    throw new UserError(
      'give --credentials FILE, or --api URL with --token TOKEN to provision the devices',
      'e.g. linli sim --api http://127.0.0.1:8080 --token llt_... --lockers 1 (see linli sim --help)',
    );
  }
  if (credentials.length === 0)
    throw new UserError(
      'no devices to simulate',
      `give counts (${KIND_MODULES.map((m) => `--${m.sim.option}`).join(', ')}) or a credentials file`,
    );
  const log = createLogger({ level: o.logLevel });
  const fleet = new SimFleet({ url: o.url, credentials, log, ...(o.url.startsWith('mqtts:') ? { tls: caOf(o) } : {}) });
  try {
    await fleet.start({ failFast: true });
  } catch (err) {
    await fleet.stop();
    const code = (err as { code?: unknown }).code;
    if (code === 4 || code === 5)
      throw new UserError(
        `the gateway at ${o.url} refused a device's credentials (${(err as Error).message})`,
        'check the id and secret in the credentials file; ' +
          'a new secret: linli device rotate ID --data DIR on the gateway',
        1,
        { cause: err },
      );
    if (typeof code === 'string')
      throw new UserError(
        `cannot reach the gateway broker at ${o.url} (${code})`,
        'is the gateway running? --url is its MQTT address, e.g. mqtts://127.0.0.1:8883 with --ca',
        1,
        { cause: err },
      );
    throw err;
  }
  // residents are the demo community's members (load it into the gateway with `linli load --demo`)
  fleet.runScenario(o.scenario, { seed: o.seed, intervalMs: o.interval, residents: demoResidents() });
  for (const d of fleet.devices) out(`${d.id.padEnd(18)} ${d.kind.padEnd(16)} connected, bdSeq ${d.bdSeq}`);
  out(
    `${fleet.devices.length} devices running scenario "${o.scenario}"${o.duration ? ` for ${o.duration} s` : ''}; ` +
      'Ctrl-C stops.',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (o.duration) setTimeout(resolve, o.duration * 1000);
  });
  await fleet.stop();
  out('simulated devices stopped');
}
