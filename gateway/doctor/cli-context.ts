import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { DataFolderLock } from '../store/data-lock.ts';
import type { DoctorContext, DoctorIo } from './context.ts';
import { fetchRuntimeState } from './runtime-state.ts';

/** A user's name from /etc/passwd text, else `uid N`. */
export function userName(etcPasswd: string, uid: number): string {
  for (const line of etcPasswd.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id === String(uid)) return name;
  }
  return `uid ${uid}`;
}

/** The uid a process runs as, from /proc/<pid>/status. */
export function uidOfStatus(status: string): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(status);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * Whose the data folder's files must be: the running gateway's user; else, for doctor run by root, the
 * folder's owner (the service user made it); else the user running doctor, who will run the gateway.
 */
async function gatewayOwner(io: DoctorIo, dataDir: string, running: boolean, uid: number): Promise<number> {
  if (running) {
    const holder = await io.readText(join(dataDir, 'linli.lock.json'));
    const pid = holder ? (JSON.parse(holder) as { pid?: unknown }).pid : undefined;
    const status = typeof pid === 'number' ? await io.readText(`/proc/${pid}/status`) : undefined;
    const owner = status ? uidOfStatus(status) : undefined;
    if (owner !== undefined) return owner;
  }
  if (uid === 0) return (await io.stat(dataDir))?.uid ?? uid;
  return uid;
}

/** What the CLI's doctor knows of this box: the gateway beside it, if any, answers for itself. */
export async function cliContext(config: Config, io: DoctorIo): Promise<DoctorContext> {
  const running = DataFolderLock.heldByAnother(config.dataDir);
  const uid = process.getuid?.() ?? 0;
  const passwd = (await io.readText('/etc/passwd')) ?? '';
  const ownerUid = await gatewayOwner(io, config.dataDir, running, uid).catch(() => uid);
  return {
    config,
    now: () => Date.now(),
    io,
    owner: { uid: ownerUid, name: userName(passwd, ownerUid) },
    user: { uid, gids: process.getgroups?.() ?? [], name: userName(passwd, uid) },
    gateway: running ? 'another-process' : 'none',
    runtime: running ? await fetchRuntimeState(config.http) : undefined,
  };
}
