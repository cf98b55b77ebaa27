import { Command, InvalidArgumentError, Option } from 'commander';
import { DEVICE_KINDS, kindModule } from '../../devices/registry.ts';
import { DeviceIdSchema } from '../../firmware-protocol/src/kinds/device-id.ts';
import { PROTOCOL_VERSION } from '../../firmware-protocol/src/version.ts';
import { parsePort } from './common.ts';
import { systemCode, UserError } from './user-error.ts';

interface ConformanceOptions {
  kind: string;
  id?: string;
  secret?: string;
  host: string;
  mqttPort: number;
  wait: number;
  quick?: boolean;
  json?: boolean;
  strict?: boolean;
  list?: boolean;
  url?: string;
}

const seconds = (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 3600) throw new InvalidArgumentError('expected seconds, 1-3600');
  return n;
};

const deviceId = (v: string) => {
  if (!DeviceIdSchema.safeParse(v).success)
    throw new InvalidArgumentError('expected 1-48 of a-z, 0-9 and inner dashes, e.g. door-01 [FWP-1.1]');
  return v;
};

/**
 * `linli conformance`: the conformance kit for device makers. The kit starts a gateway of its own,
 * provisions the device, and walks it through every clause of its kind's contract; the clause list
 * comes from the kind's module, so a new kind gets its kit with it. The kit is loaded only when it runs.
 */
export function conformanceCommand(): Command {
  return new Command('conformance')
    .description(`check a device against the device protocol ${PROTOCOL_VERSION}, clause by clause (for device makers)`)
    .addOption(new Option('--kind <kind>', 'the device kind').choices(DEVICE_KINDS).makeOptionMandatory())
    .option('--id <id>', 'the device id, as entered in the device (required but with --list)', deviceId)
    .option('--secret <secret>', "the device's secret, if it has one already (else the kit prints a new one)")
    .option('--host <host>', 'address the kit listens on for the device', '0.0.0.0')
    .option('--mqtt-port <n>', 'MQTT port the device connects to (0 = any free port)', parsePort, 1883)
    .option('--wait <s>', 'how long to wait for the device to connect, send a request, come back', seconds, 120)
    .option('--quick', 'ask the device for 5 s heartbeats first (set_heartbeat), so the run takes seconds')
    .option('--strict', 'a clause "not observed" fails the run too')
    .option('--list', 'print the clauses the kit checks for this kind, and exit')
    .option('--json', 'print the report as JSON (progress goes to stderr)')
    .option('--url <url>', 'check a device on another gateway: not supported (see below)')
    .addHelpText(
      'after',
      `
The kit stands in for the gateway: it starts a gateway of its own (temporary data folder), provisions
the device and a test member with the card 04A2B3C4, and listens on --host:--mqtt-port (plain MQTT;
the kit offers no TLS). Point the device
at this machine with the id and the secret the kit prints (or pass the device's own with --secret).
It then checks the CONNECT and the will, the birth against the kind's capabilities, heartbeats,
telemetry, every command the kind implements (with arguments built from the birth, e.g. an existing
door), duplicate and later-minor commands, rebirth on NOT_BORN and on a gateway restart, a request
resent with its txn (the kit asks you to tap the card and keeps the first answer back), a lost
connection (bdSeq + 1), and reboot. Each clause is printed with its [FWP-x.y] number: pass, fail,
not observed (the device sent no request or event in time) or not exercised (the kit could not build
it, or the device was gone).

Exit code 0 when no clause failed; with --strict, "not observed" fails the run too. "Not exercised"
never does. 1 when the device does not conform; 130 when the run was interrupted (Ctrl-C).

--url (against another gateway) is refused: most clauses need the kit between the device and the
gateway (the CONNECT and its will, an answer kept back, a dropped connection, a forgotten session,
commands a gateway would never send). An integration account could only watch the device's
messages, so a pass would claim what was never tested.

Example: linli conformance --kind door_reader --id door-01 --quick`,
    )
    .action(async (o: ConformanceOptions) => {
      const m = kindModule(o.kind);
      if (!m) throw new UserError(`no device kind "${o.kind}"`, `choose one of: ${DEVICE_KINDS.join(', ')}`, 2);
      if (o.url !== undefined)
        throw new UserError(
          'checking a device on another gateway (--url) is not supported',
          'run the kit in its place: leave out --url and point the device at this machine (linli conformance --help)',
          2,
        );
      const { clausesOf } = await import('../conformance/clauses.ts');
      const { buildReport, formatClauseList, formatReport } = await import('../conformance/report.ts');
      if (o.list) {
        const { KEEPALIVE_LIMIT_S } = await import('../conformance/runner.ts');
        const clauses = clausesOf(m, { keepaliveLimitS: KEEPALIVE_LIMIT_S });
        process.stdout.write(o.json ? `${JSON.stringify(clauses)}\n` : formatClauseList(clauses));
        return;
      }
      const id = o.id;
      if (id === undefined) throw new UserError("required option '--id <id>' not specified", 'e.g. --id door-01', 2);
      const { runConformance } = await import('../conformance/runner.ts');
      const say = (line: string) => void (o.json ? process.stderr : process.stdout).write(`${line}\n`);
      const ac = new AbortController();
      const interrupt = () => ac.abort();
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        const run = await runConformance({
          module: m,
          id: id,
          host: o.host,
          port: o.mqttPort,
          ...(o.secret !== undefined ? { secret: o.secret } : {}),
          quick: o.quick === true,
          waitS: o.wait,
          requestWaitS: o.wait,
          signal: ac.signal,
          say,
          onReady: ({ port, secret }) =>
            say(
              [
                `The kit stands in for a Linli gateway (device protocol ${PROTOCOL_VERSION}); ` +
                  `${id} is provisioned as a ${m.wire.kind}.`,
                `listening on ${o.host}:${port}`,
                'Enter in the device:',
                `  broker  mqtt://<this machine's address>:${port}`,
                `  id      ${id}`,
                `  secret  ${secret}`,
                `Waiting up to ${o.wait} s for ${id} to connect (Ctrl-C ends the run with what was seen).`,
              ].join('\n'),
            ),
        });
        const report = buildReport(m, id, run, o.strict === true);
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
        // 130: ended by Ctrl-C, as a shell reports it
        if (!report.ok) process.exitCode = report.interrupted ? 130 : 1;
      } catch (err) {
        const code = systemCode(err);
        if (code === 'EADDRINUSE' || code === 'EACCES')
          throw new UserError(
            `port ${o.mqttPort} (MQTT) on ${o.host} is ${code === 'EADDRINUSE' ? 'in use' : 'not ours to take'}`,
            'choose another with --mqtt-port N (a port above 1024 needs no privileges)',
            1,
            { cause: err },
          );
        throw err;
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      }
    });
}
