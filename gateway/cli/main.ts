import { Command, CommanderError } from 'commander';
import { PROTOCOL_VERSION } from '../../firmware-protocol/src/version.ts';
import type { Write } from './report-error.ts';

type CommandFactory = () => Command;

/**
 * linli's commands, in the order help lists them, each loaded only when it runs: a command's module
 * pulls in the gateway (broker, SQLite, HTTP), which `linli --version` or `linli residents` never need.
 */
const COMMANDS: readonly (readonly [name: string, load: () => Promise<CommandFactory>])[] = [
  ['start', async () => (await import('./start-command.ts')).startCommand],
  ['demo', async () => (await import('./demo-command.ts')).demoCommand],
  ['provision', async () => (await import('./registry-commands.ts')).provisionCommand],
  ['device', async () => (await import('./registry-commands.ts')).deviceCommand],
  ['token', async () => (await import('./registry-commands.ts')).tokenCommand],
  ['load', async () => (await import('./redemption-commands.ts')).loadCommand],
  ['ledger', async () => (await import('./redemption-commands.ts')).ledgerCommand],
  ['member', async () => (await import('./member-command.ts')).memberCommand],
  ['prepaid', async () => (await import('./prepaid-command.ts')).prepaidCommand],
  ['backup', async () => (await import('./backup-command.ts')).backupCommand],
  ['restore', async () => (await import('./backup-command.ts')).restoreCommand],
  ['sim', async () => (await import('./sim-command.ts')).simCommand],
  ['conformance', async () => (await import('./conformance-command.ts')).conformanceCommand],
  ['residents', async () => (await import('./residents-command.ts')).residentsCommand],
  ['hash-secret', async () => (await import('./tool-commands.ts')).hashSecretCommand],
  ['config', async () => (await import('./tool-commands.ts')).configCommand],
  ['service', async () => (await import('./service-command.ts')).serviceCommand],
  ['doctor', async () => (await import('./doctor-command.ts')).doctorCommand],
];

/**
 * The commands `linli ...argv` needs: the one it names; none for a bare --version; all of them
 * otherwise (the top-level help lists every command, `help X` and a misspelt command name them).
 */
async function loadCommands(argv: readonly string[]): Promise<Map<string, CommandFactory>> {
  const args = argv.slice(2);
  const named = args.find((a) => !a.startsWith('-'));
  const wanted = COMMANDS.filter(([name]) => name === named);
  const versionOnly = named === undefined && args.some((a) => a === '--version' || a === '-V');
  const chosen = wanted.length > 0 ? wanted : versionOnly ? [] : COMMANDS;
  return new Map(await Promise.all(chosen.map(async ([name, load]) => [name, await load()] as const)));
}

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

/**
 * The `linli` command line. Commands whose factory is not in `loaded` are there by name only (enough to
 * list them); runCli loads the one it runs.
 */
export function buildCli(output: CliOutput = {}, loaded: ReadonlyMap<string, CommandFactory> = new Map()): Command {
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
  for (const [name] of COMMANDS) program.addCommand(loaded.get(name)?.() ?? new Command(name));
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
    await buildCli(output, await loadCommands(argv)).parseAsync(argv);
    return 0;
  } catch (err) {
    // commander printed its own message (a usage error) or the help/version it was asked for
    if (err instanceof CommanderError) return err.exitCode;
    const { reportError } = await import('./report-error.ts');
    return reportError(err, { verbose: isVerbose(argv), ...(output.err ? { write: output.err } : {}) });
  }
}

export async function main(argv: string[]): Promise<void> {
  const code = await runCli(argv);
  // an error exits at once: a half-started gateway's sockets and timers must not keep the process alive
  if (code !== 0) process.exit(code);
}
