/**
 * [FWP-4.2] Remembers the last message ids of one device session to drop transport duplicates
 * (a QoS 1 redelivery). Bounded: the oldest id is forgotten first.
 */
export class MessageDedup {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 256) {}

  /** True the first time an id is seen, false for a duplicate. */
  firstSeen(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }

  clear(): void {
    this.ids.clear();
  }
}
