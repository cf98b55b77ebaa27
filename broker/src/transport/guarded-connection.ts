import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { FrameGuard, type FrameVerdict } from './frame-guard.ts';

/** How long a closing socket may take to flush its last bytes before it is destroyed. */
export const CLOSE_GRACE_MS = 2000;

/** "::ffff:10.0.0.7" and "10.0.0.7" are one address, for limits and logs. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

interface GuardOptions {
  maxPacketBytes: number;
  /** Bytes that may wait in the socket for the client to read them; beyond it the client is a slow consumer. */
  maxQueuedBytes: number;
  /** The frame guard stopped the input (oversized or malformed packet). */
  onVerdict: (verdict: FrameVerdict) => void;
  /** More than maxQueuedBytes were waiting; called once, just before the socket is destroyed. */
  onSlowConsumer: (queuedBytes: number) => void;
  /**
   * Where inbound bytes are handed to aedes: at once while the loop's turn has time left, else in a later
   * turn, in arrival order across all connections (the broker's TurnBudget). At once when absent.
   */
  turns?: { run(job: () => void): void };
}

/**
 * The stream aedes reads from and writes to (`aedes.handle(stream)`): the client's socket, with every
 * inbound byte passed through a FrameGuard first. After a verdict, inbound bytes are read and dropped
 * (memory stays flat however much the client keeps sending) until the broker closes the connection.
 *
 * Writes complete at once, never waiting for the socket to drain: aedes completes a delivery only when
 * its write completes, and its message bus (mqemitter) lets a bounded number of deliveries be pending,
 * so one client that stops reading would otherwise hold up every other delivery until drainTimeout.
 * What the client has not read waits in the socket instead, bounded by `maxQueuedBytes`: past it the
 * connection is destroyed at once (no flushing to a client that does not read) as a slow consumer.
 *
 * Inbound bytes reach aedes through the turn budget: when a thousand devices reconnect at once, one poll
 * of the loop finds hundreds of sockets with packets, and parsing and handling them all in that turn
 * blocked the loop (and every timer and redemption) for 50–80 ms. A socket whose bytes wait for a later
 * turn is paused meanwhile, so a client that floods waits in TCP, not in this process's memory.
 *
 * Closing is otherwise graceful: the socket is ended (FIN) rather than destroyed, and unread input is
 * drained, because closing a TCP socket with unread input sends a RST that can make the client discard
 * the CONNACK or error message written just before. A socket that does not close within CLOSE_GRACE_MS
 * is destroyed.
 */
export class GuardedConnection extends Duplex {
  readonly remoteAddress: string;
  readonly guard: FrameGuard;
  private discarding = false;
  private slow = false;
  /** Inbound chunks (and the end) handed to the turn budget and not delivered yet. */
  private waiting = 0;
  /** aedes' side is full (push returned false) until it reads again. */
  private backedUp = false;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly opts: GuardOptions,
  ) {
    // a write never waits, so aedes must never see push-back from this stream's own buffer either: it
    // holds at most one packet, while mqtt-packet corks the stream for it
    super({ allowHalfOpen: false, writableHighWaterMark: opts.maxQueuedBytes });
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    this.guard = new FrameGuard(opts.maxPacketBytes);
    socket.on('data', (chunk: Buffer) => this.inTurn(() => this.onData(chunk)));
    socket.on('end', () => this.inTurn(() => this.discarding || this.push(null)));
    // the close, too, comes after the bytes before it: a device's last PUBLISH or its DISCONNECT (which
    // tells aedes not to send its will) is handled before aedes hears the connection is gone
    socket.on('error', (err) => this.inTurn(() => this.destroy(err)));
    socket.on('close', () => {
      if (this.closeTimer) clearTimeout(this.closeTimer);
      this.inTurn(() => this.destroy());
    });
  }

  /** Closes the socket at once, without a grace period (broker shutdown, slow consumer, pre-auth timeout). */
  terminate(): void {
    this.socket.destroy();
    this.destroy();
  }

  /** Bytes written to the socket that the client has not taken yet (beyond what the kernel buffers). */
  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  override _read(): void {
    this.backedUp = false;
    if (!this.discarding && this.waiting === 0) this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    cb(this.send([chunk]));
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    cb(this.send(chunks.map((c) => c.chunk)));
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.discarding = true;
    const socket = this.socket;
    if (!socket.destroyed) {
      socket.resume(); // drain unread input so the close is a FIN, not a RST
      socket.end();
      this.closeTimer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      this.closeTimer.unref();
    }
    cb(err);
  }

  /** Hands the bytes to the socket and completes; undefined, or the error that ends the stream. */
  private send(chunks: Buffer[]): Error | undefined {
    if (this.slow) return undefined; // being destroyed: nobody reads these any more
    if (this.socket.destroyed || !this.socket.writable) return new Error('connection closed');
    this.socket.cork();
    for (const chunk of chunks) this.socket.write(chunk);
    this.socket.uncork();
    const queued = this.socket.writableLength;
    if (queued > this.opts.maxQueuedBytes) {
      this.slow = true;
      this.opts.onSlowConsumer(queued);
      // not from inside aedes' write: it still has to finish its own bookkeeping of this packet
      process.nextTick(() => this.terminate());
    }
    return undefined;
  }

  /** Runs `deliver` now or in a later turn, in order; the socket reads nothing more while any waits. */
  private inTurn(deliver: () => void): void {
    const turns = this.opts.turns;
    // a closing connection's input is only drained (read and dropped): never held back
    if (!turns || this.discarding || this.destroyed) return deliver();
    this.waiting += 1;
    let ran = false;
    turns.run(() => {
      ran = true;
      this.waiting -= 1;
      if (this.destroyed) return;
      deliver();
      if (this.waiting === 0 && !this.backedUp && !this.discarding && !this.socket.destroyed) this.socket.resume();
    });
    if (!ran) this.socket.pause();
  }

  private onData(chunk: Buffer): void {
    if (this.discarding) return;
    const { pass, verdict } = this.guard.feed(chunk);
    for (const bytes of pass) {
      if (!this.push(bytes)) {
        this.backedUp = true;
        this.socket.pause();
      }
    }
    if (verdict) {
      this.discarding = true;
      this.socket.resume();
      this.opts.onVerdict(verdict);
    }
  }
}
