import { closeSync, fdatasync, fstatSync, openSync, statSync } from 'node:fs';

/** Makes what is committed to the database's write-ahead log durable; resolves once it is on disk. */
export type DurabilityPort = () => Promise<void>;

/**
 * fdatasync of the database's WAL file on libuv's thread pool, so the event loop never waits on the disk.
 *
 * With `synchronous=NORMAL` a WAL commit writes its frames (commit frame last) to the file without
 * syncing; SQLite still syncs the WAL before every checkpoint and its header whenever the log is reused.
 * Syncing the file after COMMIT then makes that commit, and every earlier one, as durable as
 * `synchronous=FULL` would inside COMMIT: the group-commit writer resolves a unit (and so lets an approval
 * out) only after a sync that *started* after the unit's COMMIT has finished.
 *
 * One sync runs at a time; calls while one runs share the next. The file is reopened when its inode
 * changed (SQLite deleted and recreated the log), so a sync never goes to a file SQLite left behind.
 */
export class WalSync {
  private fd: number | undefined;
  private ino: number | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(
    private readonly walFile: string,
    /** Node's fdatasync; injected by tests to hold a sync open. */
    private readonly datasync: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void = fdatasync,
  ) {}

  /** close() was called while a sync ran: the descriptor is closed once no sync uses it. */
  private closeWhenIdle = false;

  readonly sync: DurabilityPort = () => {
    if (!this.running) {
      this.running = this.once().finally(() => {
        this.running = undefined;
        if (this.closeWhenIdle && !this.next) this.closeNow();
      });
      return this.running;
    }
    // a sync already under way may have started before the caller's COMMIT: wait for the one after it
    this.next ??= this.running.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  };

  private startNext(): Promise<void> {
    this.next = undefined;
    return this.sync();
  }

  private once(): Promise<void> {
    const fd = this.open();
    if (fd === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => this.datasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  /** The WAL's descriptor, reopened when the file at its path is another one; undefined: there is no log. */
  private open(): number | undefined {
    let ino: number;
    try {
      ino = statSync(this.walFile).ino;
    } catch (err) {
      // no log file: SQLite checkpointed and removed it, syncing the database file as it did
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (this.fd !== undefined && ino === this.ino) return this.fd;
    this.closeNow();
    this.fd = openSync(this.walFile, 'r');
    this.ino = fstatSync(this.fd).ino;
    return this.fd;
  }

  /** Closes the log's descriptor, after the sync that uses it (if one runs) has finished. */
  close(): void {
    if (this.running) this.closeWhenIdle = true;
    else this.closeNow();
  }

  private closeNow(): void {
    this.closeWhenIdle = false;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.ino = undefined;
  }
}
