import { Command } from 'commander';
import { PROTOCOL_VERSION } from '../../firmware-protocol/src/version.ts';
import { reportError } from './common.ts';
import { demoCommand } from './demo-command.ts';
import { deviceCommand, provisionCommand, tokenCommand } from './registry-commands.ts';
import { simCommand } from './sim-command.ts';
import { ledgerCommand, loadCommand } from './redemption-commands.ts';
import { startCommand } from './start-command.ts';
import { configCommand, hashSecretCommand } from './tool-commands.ts';

/** The `linli` command line. */
export function buildCli(): Command {
  const program = new Command('linli')
    .description(`Linli (邻里) community edge gateway — device protocol ${PROTOCOL_VERSION}`)
    .version('0.1.0')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Quick start:
  linli demo                                   gateway + simulated devices, all local
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
  program.addCommand(hashSecretCommand());
  program.addCommand(configCommand());
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
