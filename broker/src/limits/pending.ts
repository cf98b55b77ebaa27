/** A place taken by a pending connection; `release` gives it back (idempotent). */
export type Admission = { ok: true; release: () => void } | { ok: false; why: string };

/**
 * Places for connections that are not yet authenticated (TLS handshake, waiting for or checking the
 * CONNECT), per remote address and in total. Idle sockets that never authenticate then cost a bounded
 * number of places, and since one address may take only `perAddress` of the `total`, a flood from one
 * address never refuses a device from another. Pure; memory bounded by `total` (an address with no
 * place taken is forgotten).
 */
export class PendingGate {
  private readonly byAddress = new Map<string, number>();
  private count = 0;

  constructor(private readonly opts: { perAddress: number; total: number }) {}

  admit(address: string): Admission {
    const mine = this.byAddress.get(address) ?? 0;
    if (mine >= this.opts.perAddress)
      return {
        ok: false,
        why: `${this.opts.perAddress} connections from this address are already waiting to authenticate`,
      };
    if (this.count >= this.opts.total)
      return { ok: false, why: `${this.opts.total} connections are already waiting to authenticate` };
    this.byAddress.set(address, mine + 1);
    this.count += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.count -= 1;
        const left = (this.byAddress.get(address) ?? 1) - 1;
        if (left > 0) this.byAddress.set(address, left);
        else this.byAddress.delete(address);
      },
    };
  }

  /** Places taken in total, and by `address`. */
  taken(address?: string): number {
    return address === undefined ? this.count : (this.byAddress.get(address) ?? 0);
  }
}
