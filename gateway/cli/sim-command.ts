import { Command } from 'commander';

/** `linli sim`: simulated devices against any gateway; the options are the simulator's own. */
export function simCommand(): Command {
  return new Command('sim')
    .description('run simulated devices (lockers, vending machines, door readers, scanners) against a gateway; see `linli sim --help`')
    .helpOption(false)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .argument('[options...]')
    .action(async (args: string[]) => {
      const { runSimCli } = await import('../../sim/src/cli.ts');
      await runSimCli(['node', 'linli sim', ...args]);
    });
}
