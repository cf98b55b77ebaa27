import { execFile } from 'node:child_process';
import type { Logger } from './log.ts';

/**
 * systemd `Type=notify` support without a native module: `systemd-notify` sends the datagram for us
 * (the unit sets NotifyAccess=all because the sender is a child process). A no-op outside systemd.
 */
export class SystemdNotifier {
  private watchdog: NodeJS.Timeout | undefined;
  constructor(
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get active(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  ready(status: string, healthy: () => boolean = () => true): void {
    this.send(['--ready', `--status=${status}`]);
    const usec = Number(this.env.WATCHDOG_USEC);
    if (Number.isFinite(usec) && usec > 0) {
      // Ping at half the deadline; `healthy` is asked each time so a wedged gateway stops pinging and is restarted.
      this.watchdog = setInterval(
        () => {
          if (healthy()) this.send(['WATCHDOG=1']);
        },
        Math.max(1000, usec / 2000),
      );
      this.watchdog.unref();
    }
  }

  stopping(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.send(['--status=stopping', 'STOPPING=1']);
  }

  private send(args: string[]): void {
    if (!this.active) return;
    execFile('systemd-notify', args, { env: this.env }, (err) => {
      if (err) this.log.warn({ err: err.message }, 'systemd-notify failed');
    });
  }
}
