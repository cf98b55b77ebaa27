import { Command, CommanderError } from 'commander';
import { PROTOCOL_VERSION } from '../../firmware-protocol/src/version.ts';
import { reportError, type Write } from './report-error.ts';
import { demoCommand } from './demo-command.ts';
import { deviceCommand, provisionCommand, tokenCommand } from './registry-commands.ts';
import { simCommand } from './sim-command.ts';
import { ledgerCommand, loadCommand } from './redemption-commands.ts';
import { startCommand } from './start-command.ts';
import { residentsCommand } from './residents-command.ts';
import { configCommand, hashSecretCommand } from './tool-commands.ts';

/** Where the CLI writes its help, usage errors and error reports (the terminal, or a buffer in tests). */
export interface CliOutput {
  out?: Write;
  err?: Write;
}

/** Commander settings are not inherited through addCommand: every command gets them here. */
function configureAll(cmd: Command, output: CliOutput): void {
  cmd.exitOverride().showHelpAfterError('(add --help to see the options)');
  cmd.configureOutput({
    ...(output.out ? { writeOut: output.out } : {}),
    ...(output.err ? { writeErr: output.err } : {}),
  });
  for (const sub of cmd.commands) configureAll(sub, output);
}

/** The `linli` command line. */
export function buildCli(output: CliOutput = {}): Command {
  const program = new Command('linli')
    .description(`Linli (邻里) community edge gateway — device protocol ${PROTOCOL_VERSION}`)
    .version('0.1.0')
    .option('--verbose', 'stack traces with errors; in the demo, every routine event in the log')
    .addHelpText(
      'after',
      `
Quick start:
  linli demo                                   gateway + simulated devices, all local
  linli residents                              the demo community's members and their cards
  linli start --config /etc/linli/config.yaml  a real deployment
  linli provision --kind vending_machine --id vm-01 --data /var/lib/linli --json
  linli token create --role admin --data /var/lib/linli --json`,
    );
  program.addCommand(startCommand());
  program.addCommand(demoCommand());
  program.addCommand(provisionCommand());
  program.addCommand(deviceCommand());
  program.addCommand(tokenCommand());
  program.addCommand(loadCommand());
  program.addCommand(ledgerCommand());
  program.addCommand(simCommand());
  program.addCommand(residentsCommand());
  program.addCommand(hashSecretCommand());
  program.addCommand(configCommand());
  configureAll(program, output);
  return program;
}

/** `--verbose` anywhere before `--`: read from argv, because a parse error comes before any options. */
export function isVerbose(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--verbose');
}

/**
 * Runs the CLI and returns its exit code: 0 once a command finished (or, for `start` and `demo`, is up
 * and running), else the code of the error it reported.
 */
export async function runCli(argv: string[], output: CliOutput = {}): Promise<number> {
  try {
    await buildCli(output).parseAsync(argv);
    return 0;
  } catch (err) {
    // commander printed its own message (a usage error) or the help/version it was asked for
    if (err instanceof CommanderError) return err.exitCode;
    return reportError(err, { verbose: isVerbose(argv), ...(output.err ? { write: output.err } : {}) });
  }
}

export async function main(argv: string[]): Promise<void> {
  const code = await runCli(argv);
  // an error exits at once: a half-started gateway's sockets and timers must not keep the process alive
  if (code !== 0) process.exit(code);
}
