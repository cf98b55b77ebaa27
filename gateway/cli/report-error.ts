import { LinliError, type ErrorCode } from '../../firmware-protocol/src/errors.ts';
import { ConfigError } from '../config/load.ts';
import { NETWORK_WORDS, systemCode, UserError } from './user-error.ts';

/** Where the report goes (stderr in the CLI, a buffer in tests). */
export type Write = (text: string) => void;

const HINTS: Partial<Record<ErrorCode, string>> = {
  DEVICE_NOT_FOUND: 'list the provisioned devices with `linli device list --data DIR`',
  DEVICE_EXISTS: 'choose another --id, or issue a new secret for it with `linli device rotate ID`',
  UNAUTHENTICATED: 'create a token with `linli token create --role admin --data DIR`',
  FORBIDDEN: 'use a token with the role the action needs (`linli token create --role admin`)',
};

interface Issue {
  path: PropertyKey[];
  message: string;
}
const zodIssues = (err: unknown): Issue[] | undefined =>
  err && typeof err === 'object' && 'issues' in err && Array.isArray((err as { issues: unknown }).issues)
    ? (err as { issues: Issue[] }).issues
    : undefined;

/** CONNACK 4/5 from mqtt.js: the broker refused the username or password. */
const mqttRefusal = (err: unknown): boolean => {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return code === 4 || code === 5;
};

/**
 * Turns an error into what a person reads: one clear line, a hint below it, and the exit code. A stack
 * trace only with `--verbose`; an error nobody anticipated says so and how to see its stack.
 */
export function reportError(err: unknown, opts: { verbose?: boolean; write?: Write } = {}): number {
  const write = opts.write ?? ((t: string) => void process.stderr.write(t));
  const say = (line: string, hint: string | undefined, code: number) => {
    write(`linli: ${line}\n${hint ? `  ${hint}\n` : ''}`);
    if (opts.verbose && err instanceof Error && err.stack) write(`${err.stack}\n`);
    return code;
  };
  if (err instanceof UserError) return say(err.message, err.hint, err.exitCode);
  if (err instanceof ConfigError)
    return say(err.message, 'fix it, then check with `linli config check --config FILE`', 2);
  if (err instanceof LinliError) return say(`${err.code}: ${err.message}`, HINTS[err.code], 1);
  const issues = zodIssues(err);
  if (issues) {
    const lines = issues.map((i) => `  - ${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('\n');
    return say(`invalid input:\n${lines}`, 'see the command’s --help for the accepted values', 2);
  }
  if (mqttRefusal(err))
    return say(
      `the gateway refused the device credentials (${(err as Error).message})`,
      'check the device id and secret; a new secret: `linli device rotate ID`',
      1,
    );
  const sys = systemCode(err);
  if (sys && NETWORK_WORDS[sys])
    return say(
      `cannot reach the gateway: ${NETWORK_WORDS[sys]} (${(err as Error).message})`,
      'is the gateway running, and is the address right?',
      1,
    );
  if (sys === 'EACCES' || sys === 'EPERM')
    return say(
      `permission denied: ${(err as Error).message}`,
      'run as the user that owns the data folder (e.g. sudo -u linli), or choose another --data folder',
      1,
    );
  if (sys === 'ENOENT') return say((err as Error).message, 'check the file or folder name', 1);
  const message = err instanceof Error ? err.message : String(err);
  return say(
    message,
    opts.verbose
      ? undefined
      : 'this looks like a bug in linli: run again with --verbose to see the stack trace, and report it',
    1,
  );
}
