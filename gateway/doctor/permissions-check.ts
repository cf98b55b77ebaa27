import { join } from 'node:path';
import { secretFilesOf } from '../security/secret-files.ts';
import { tlsPaths } from '../security/tls-paths.ts';
import type { Check, DoctorContext, FileInfo } from './context.ts';
import { fail, type Finding, ok, warn } from './finding.ts';

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0');

/**
 * A file of residents' data or a key: never readable by other users, never writable by the group. Group
 * read is allowed (root:linli 0640 is how a unit's files are commonly shared with its service user).
 */
function exposure(info: FileInfo): string | undefined {
  if ((info.mode & 0o007) !== 0) return `mode ${octal(info.mode)}: other users of this machine can read it`;
  if ((info.mode & 0o020) !== 0) return `mode ${octal(info.mode)}: its group can change it`;
  return undefined;
}

/** The files the gateway itself keeps at the top of its data folder. */
const OWN_FILES = [
  'linli.db',
  'linli.db-wal',
  'linli.db-shm',
  'secrets.json',
  'linli.lock',
  'linli.lock.json',
  'last-backup.json',
];

async function dataFiles(ctx: DoctorContext, dir: string): Promise<string[]> {
  const names = (await ctx.io.list(dir)) ?? [];
  return names.map((n) => join(dir, n));
}

/** The data folder 0700, every file in it (database, WAL, secrets, keys) private and the gateway's user's. */
export const permissionsCheck: Check = {
  id: 'permissions',
  async run(ctx) {
    const dataDir = ctx.config.dataDir;
    const found: Finding[] = [];
    const dir = await ctx.io.stat(dataDir);
    if (!dir)
      return [
        warn('permissions', `no data folder at ${dataDir} yet`, 'start the gateway once: linli start --config FILE'),
      ];
    const owner = ctx.owner.name;
    const chown = `sudo chown -R ${owner}: ${dataDir}`;
    // a shared sticky folder (/tmp) is everyone's by design: only the files in it are the gateway's
    const shared = (dir.mode & 0o1000) !== 0;
    if (!shared && (dir.mode & 0o007) !== 0)
      found.push(
        fail(
          'permissions.data-folder',
          `${dataDir} is mode ${octal(dir.mode)}: other users can list and read residents' data`,
          `chmod 700 ${dataDir}`,
        ),
      );
    else if (!shared && (dir.mode & 0o070) !== 0)
      found.push(
        warn(
          'permissions.data-folder',
          `${dataDir} is mode ${octal(dir.mode)}: its group can reach the data`,
          `chmod 700 ${dataDir}`,
        ),
      );
    if (!shared && dir.uid !== ctx.owner.uid)
      found.push(fail('permissions.data-folder', `${dataDir} belongs to uid ${dir.uid}, not to ${owner}`, chown));

    const tlsDir = tlsPaths(dataDir).dir;
    // in a shared folder only the gateway's own files are its business, not every other user's
    const top = shared ? OWN_FILES.map((n) => join(dataDir, n)) : await dataFiles(ctx, dataDir);
    const files = [...top, ...(await dataFiles(ctx, tlsDir))];
    let checked = 0;
    for (const file of files) {
      const info = await ctx.io.stat(file);
      if (!info) continue; // gone since the listing (a WAL checkpointed away)
      if (info.isDirectory) {
        if (file === tlsDir && (info.mode & 0o077) !== 0)
          found.push(
            fail('permissions.file', `${file} is mode ${octal(info.mode)}: it holds keys`, `chmod 700 ${file}`),
          );
        continue;
      }
      checked += 1;
      // certificates are public by nature: in tls/ only the keys must be private
      const why = file.startsWith(`${tlsDir}/`) && !file.endsWith('.key') ? undefined : exposure(info);
      if (why) found.push(fail('permissions.file', `${file}: ${why}`, `chmod 600 ${file}`));
      if (info.uid !== ctx.owner.uid)
        found.push(fail('permissions.file', `${file} belongs to uid ${info.uid}, not to ${owner}`, chown));
    }

    const keys = secretFilesOf(ctx.config).map((k) => ({ ...k, id: 'permissions.key-file' }));
    for (const { file, what, id } of keys) {
      const info = await ctx.io.stat(file);
      if (!info) {
        found.push(
          fail(id, `${file} (${what}) does not exist`, `put the file there, or remove ${what} from the config`),
        );
        continue;
      }
      checked += 1;
      const why = exposure(info);
      if (why)
        found.push(fail(id, `${file} (${what}): ${why}`, `chmod 600 ${file}  (or chmod 640 with the gateway's group)`));
    }
    if (found.length === 0)
      found.push(
        ok(
          'permissions',
          `data folder ${dataDir} and its ${checked} files (keys included) are private to ${ctx.owner.name}`,
        ),
      );
    return found;
  },
};
