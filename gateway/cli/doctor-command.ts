import { Command } from 'commander';
import { checkConfig } from '../doctor/config-check.ts';
import { cliContext } from '../doctor/cli-context.ts';
import type { DoctorIo } from '../doctor/context.ts';
import { formatReport } from '../doctor/format-report.ts';
import { runDoctor } from '../doctor/registry.ts';
import { systemIo } from '../doctor/system-io.ts';
import { type CommonOptions, configFrom, withDataOptions } from './common.ts';

/**
 * `linli doctor`: what is wrong with this box, and the line that fixes each; exit 0 ok, 1 warnings,
 * 2 failures. `io` is the box (a test's fake one).
 */
export function doctorCommand(io: DoctorIo = systemIo): Command {
  return withDataOptions(
    new Command('doctor').description(
      'check this box: config, permissions, disk and SD wear, clock, hardware, ports, database and ledger, ' +
        'cloud, certificates, backups; a fix for each problem (exit 0 ok, 1 warnings, 2 failures)',
    ),
  ).action(async (opts: CommonOptions) => {
    const source = opts.config ?? process.env.LINLI_CONFIG;
    const { config, finding } = checkConfig(() => configFrom(opts), source);
    const ctx = config ? await cliContext(config, io) : undefined;
    const report = await runDoctor(finding, ctx, { now: () => Date.now(), monotonic: () => performance.now() });
    process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    process.exitCode = report.exitCode;
  });
}
