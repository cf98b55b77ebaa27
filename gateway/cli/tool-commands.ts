import { Command } from 'commander';
import { generateSecret, hashSecret } from '../security/secret-hash.ts';
import { configFrom, print, type CommonOptions } from './common.ts';
import { redactConfig } from '../config/load.ts';
import { UserError } from './user-error.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `linli hash-secret`: a scrypt hash for an integration account's password in the config file. */
export function hashSecretCommand(): Command {
  return new Command('hash-secret')
    .description('print a scrypt hash for an integration account password (reads it from stdin, or generates one)')
    .option('--generate', 'generate a strong password and print it with its hash')
    .option('--json', 'print machine-readable JSON')
    .action(async (opts: { generate?: boolean; json?: boolean }) => {
      const password = opts.generate ? generateSecret() : await readStdin();
      if (password.length < 12)
        throw new UserError(
          `the password must be at least 12 characters (it has ${password.length})`,
          'give a longer one on stdin, or let linli make one: linli hash-secret --generate',
          2,
        );
      const hash = await hashSecret(password);
      print(
        opts,
        opts.generate ? { password, passwordHash: hash } : { passwordHash: hash },
        opts.generate ? `password: ${password}\npasswordHash: ${hash}` : hash,
      );
    });
}

/** `linli config check`: validate a config and print the effective one. */
export function configCommand(): Command {
  const cmd = new Command('config').description('configuration tools');
  cmd.addCommand(
    new Command('check')
      .description('validate a config file (with environment overrides) and print the effective configuration')
      .option('-c, --config <file>', 'config file (YAML or JSON); env LINLI_CONFIG')
      .option('-d, --data <dir>', 'data folder override')
      .option('--json', 'print machine-readable JSON')
      .action((opts: CommonOptions) => {
        const config = configFrom(opts);
        const safe = redactConfig(config);
        print(opts, safe, `configuration is valid:\n${JSON.stringify(safe, null, 2)}`);
      }),
  );
  return cmd;
}
