/** Counts disconnects in a sliding window (monotonic ms); a device past the limit is flapping. */
export class FlapDetector {
  private readonly times: number[] = [];
  constructor(
    private readonly windowMs: number,
    private readonly maxDisconnects: number,
  ) {}

  record(atMono: number): void {
    this.times.push(atMono);
    this.trim(atMono);
  }

  /** Number of disconnects in the window when flapping, else undefined. */
  flapping(nowMono: number): number | undefined {
    this.trim(nowMono);
    return this.times.length > this.maxDisconnects ? this.times.length : undefined;
  }

  private trim(nowMono: number): void {
    while (this.times.length > 0 && (this.times[0] ?? 0) <= nowMono - this.windowMs) this.times.shift();
    // Bounded even if the window is long and the device misbehaves badly.
    if (this.times.length > this.maxDisconnects * 4) this.times.splice(0, this.times.length - this.maxDisconnects * 4);
  }
}
