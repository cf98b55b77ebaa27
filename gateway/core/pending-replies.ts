/**
 * Replies awaited by id (a request's message id, an RPC's request id), each with its own timeout:
 * `wait` resolves with the reply, or undefined when none came in time; a late reply finds no waiter.
 */
export class PendingReplies<T> {
  private readonly waiting = new Map<string, (reply: T | undefined) => void>();

  wait(id: string, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const t = setTimeout(() => done(undefined), timeoutMs);
      const done = (reply: T | undefined) => {
        clearTimeout(t);
        this.waiting.delete(id);
        resolve(reply);
      };
      this.waiting.set(id, done);
    });
  }

  /** Hands a reply to its waiter; false when nobody waits for it (late, duplicate or unknown). */
  resolve(id: string, reply: T): boolean {
    const w = this.waiting.get(id);
    if (!w) return false;
    w(reply);
    return true;
  }
}
