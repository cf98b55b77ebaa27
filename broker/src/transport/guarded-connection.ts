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

/**
 * The stream aedes reads from and writes to (`aedes.handle(stream)`): the client's socket, with every
 * inbound byte passed through a FrameGuard first. After a verdict, inbound bytes are read and dropped
 * (memory stays flat however much the client keeps sending) until the broker closes the connection.
 *
 * Closing is graceful: the socket is ended (FIN) rather than destroyed, and unread input is drained,
 * because closing a TCP socket with unread input sends a RST that can make the client discard the
 * CONNACK or error message written just before. A socket that does not close within CLOSE_GRACE_MS is
 * destroyed.
 */
export class GuardedConnection extends Duplex {
  readonly remoteAddress: string;
  readonly guard: FrameGuard;
  private discarding = false;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    maxPacketBytes: number,
    private readonly onVerdict: (verdict: FrameVerdict) => void,
  ) {
    super({ allowHalfOpen: false });
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    this.guard = new FrameGuard(maxPacketBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      if (!this.discarding) this.push(null);
    });
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => {
      if (this.closeTimer) clearTimeout(this.closeTimer);
      this.destroy();
    });
  }

  /** Closes the socket at once, without a grace period (broker shutdown). */
  terminate(): void {
    this.socket.destroy();
    this.destroy();
  }

  override _read(): void {
    if (!this.discarding) this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.socket.destroyed || !this.socket.writable) return cb(new Error('connection closed'));
    // complete at once unless the socket pushes back: aedes then waits for 'drain' under its drainTimeout
    if (this.socket.write(chunk)) cb();
    else this.socket.once('drain', () => cb());
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    if (this.socket.destroyed || !this.socket.writable) return cb(new Error('connection closed'));
    this.socket.cork();
    let ok = true;
    for (const { chunk } of chunks) ok = this.socket.write(chunk);
    this.socket.uncork();
    if (ok) cb();
    else this.socket.once('drain', () => cb());
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

  private onData(chunk: Buffer): void {
    if (this.discarding) return;
    const { pass, verdict } = this.guard.feed(chunk);
    for (const bytes of pass) {
      if (!this.push(bytes)) this.socket.pause();
    }
    if (verdict) {
      this.discarding = true;
      this.socket.resume();
      this.onVerdict(verdict);
    }
  }
}
