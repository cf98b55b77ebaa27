/** Counts the flows (a vend, a deposit, a purchase) running on a device, and tells when none is left. */
export class FlowTracker {
  private running = 0;
  private waiters: (() => void)[] = [];

  /** Runs one flow; it counts as running until it ends, however it ends. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      if (this.running === 0) for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Resolves when no flow runs (at once when none does). */
  idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
