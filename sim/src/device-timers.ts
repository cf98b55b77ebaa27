/**
 * The timers of one simulated device: periodic ones (heartbeat, telemetry) that a new heartbeat
 * interval re-arms, and one-shot ones; all unref'd, all cleared when the connection closes.
 */
export class DeviceTimers {
  private readonly all = new Set<NodeJS.Timeout>();
  private readonly periodic: NodeJS.Timeout[] = [];

  every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.all.add(t);
    this.periodic.push(t);
  }

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.all.delete(t);
      fn();
    }, ms);
    t.unref();
    this.all.add(t);
  }

  /** Stops the periodic timers only (before arming them at a new interval). */
  clearPeriodic(): void {
    for (const t of this.periodic.splice(0)) {
      clearInterval(t);
      this.all.delete(t);
    }
  }

  clear(): void {
    for (const t of this.all) clearTimeout(t);
    this.all.clear();
    this.periodic.length = 0;
  }
}
