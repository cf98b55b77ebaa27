import type { Config } from '../config/schema.ts';
import type { Finding } from './finding.ts';

/** What doctor needs of a file: mode and owner, the device it is on, its type. */
export interface FileInfo {
  mode: number;
  uid: number;
  gid: number;
  /** The block device holding it (major:minor), to find its writes in /proc/diskstats. */
  dev: { major: number; minor: number };
  isDirectory: boolean;
  isSocket: boolean;
}

/** A TLS or plain TCP connection attempt, bounded in time. */
export interface ConnectTarget {
  host: string;
  port: number;
  tls: boolean;
  /** PEM files of the config (a CA to trust, a client certificate and key). */
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
}
export type ConnectResult = { ok: true; ms: number } | { ok: false; error: string };

/**
 * The box as doctor sees it: every read of the filesystem, process, port and network goes through here,
 * so each check is tested with fixtures and never with this machine's own disks, clock or network.
 */
export interface DoctorIo {
  /** undefined when the path does not exist (lstat: a symlink is itself). */
  stat(path: string): Promise<FileInfo | undefined>;
  readText(path: string): Promise<string | undefined>;
  /** Names in a folder; undefined when it does not exist. */
  list(dir: string): Promise<string[] | undefined>;
  statfs(path: string): Promise<{ freeBytes: number; totalBytes: number } | undefined>;
  /** Runs a program (no shell) with a time limit; undefined when it is not installed or did not finish. */
  run(cmd: string, args: readonly string[]): Promise<{ code: number; stdout: string } | undefined>;
  /** undefined when host:port could be listened on now, else the error code (EADDRINUSE, EACCES…). */
  probePort(host: string, port: number): Promise<string | undefined>;
  connect(target: ConnectTarget, timeoutMs: number): Promise<ConnectResult>;
}

/** The running gateway's own view, when one runs on this data folder (from /healthz, or in process). */
export interface RuntimeState {
  clock?: { state: 'ok' | 'unsynced' | 'skewed' | 'jumped' | 'behind'; offsetMs: number | null };
  cloud?: { enabled: boolean; connected: boolean; backlogEvents: number };
}

export interface DoctorContext {
  config: Config;
  now(): number;
  io: DoctorIo;
  /** Who the data folder's files must belong to: the gateway's user (its name for the fix lines). */
  owner: { uid: number; name: string };
  /** The user doctor runs as, with its groups (a check of group membership, e.g. gpio). */
  user: { uid: number; gids: readonly number[]; name: string };
  /** Whether a gateway holds the data folder: this process (the API), another one (the CLI beside it), or none. */
  gateway: 'this-process' | 'another-process' | 'none';
  /** What that gateway says of itself; undefined when none runs or it did not answer in time. */
  runtime: RuntimeState | undefined;
}

/** One check: looks at one thing and says what it found (one finding, or one per item it looked at). */
export interface Check {
  id: string;
  run(ctx: DoctorContext): Promise<Finding[]>;
}
