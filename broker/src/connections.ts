import type { Client } from 'aedes';
import type { Principal } from './acl.ts';
import type { GuardedConnection } from './transport/guarded-connection.ts';
import type { Transport } from './transport/listeners.ts';
import type { DisconnectReason, PresenceEvent } from './types.ts';

/**
 * Where a connection is in its life: accepted → CONNECT seen
 * → checking → accepted by us → registered by aedes → closed.
 */
type ConnectionState = 'open' | 'connecting' | 'authenticating' | 'authenticated' | 'registered' | 'closed';

/** One network connection and what we know about it. */
export interface Connection {
  /** Increases per accepted connection; the connectionId of presence events. */
  readonly id: number;
  readonly address: string;
  readonly transport: Transport;
  readonly stream: GuardedConnection;
  state: ConnectionState;
  client: Client | undefined;
  /**
   * From the CONNECT packet (seen in preConnect). `will` is kept by identity: aedes later authorizes that very object.
   */
  connect: { clientId: string; clean: boolean; will: { topic: string } | undefined } | undefined;
  /** The username it authenticates with (set when authentication starts). */
  username: string | undefined;
  /** Set once authentication succeeded. */
  principal: Principal | undefined;
  presence: 'none' | 'announced' | 'ended';
  /** Why it ends, when we know before it does (kicked, keepalive, stopping, taken over). */
  reason: DisconnectReason | undefined;
  /** kick() happened while it was still connecting: refuse or close it as soon as possible. */
  revoked: boolean;
  /** Gives back its place among the connections not yet authenticated; undefined once authenticated or closed. */
  pending: (() => void) | undefined;
  /** Closes it when it is not authenticated in time (mqtt.connectTimeoutMs). */
  deadline: NodeJS.Timeout | undefined;
}

const deviceOf = (c: Connection) => (c.principal?.kind === 'device' ? c.principal.deviceId : undefined);

/**
 * Every open connection, and device presence derived from aedes' registration events. Guarantees:
 * each 'connected' is followed by exactly one 'disconnected' for the same connectionId (from aedes'
 * clientDisconnect or, failing that, from the socket closing); on a takeover the newcomer is announced
 * before the replaced connection's 'disconnected' with reason 'taken_over'.
 */
export class ConnectionTable {
  private nextId = 1;
  private readonly byStream = new WeakMap<object, Connection>();
  private readonly open = new Set<Connection>();
  private readonly online = new Map<string, Connection>();

  constructor(
    private readonly emit: (e: PresenceEvent) => void,
    private readonly now: () => number,
  ) {}

  /** A newly accepted connection; `release` gives back its pending place (see settle). */
  add(stream: GuardedConnection, transport: Transport, release: () => void): Connection {
    const c: Connection = {
      id: this.nextId++,
      address: stream.remoteAddress,
      transport,
      stream,
      state: 'open',
      client: undefined,
      connect: undefined,
      username: undefined,
      principal: undefined,
      presence: 'none',
      reason: undefined,
      revoked: false,
      pending: release,
      deadline: undefined,
    };
    this.byStream.set(stream, c);
    this.open.add(c);
    return c;
  }

  /** The connection behind an aedes client's stream (`client.conn`). */
  of(stream: unknown): Connection | undefined {
    return typeof stream === 'object' && stream !== null ? this.byStream.get(stream) : undefined;
  }

  get size(): number {
    return this.open.size;
  }

  get devicesOnline(): number {
    return this.online.size;
  }

  /** Connections past their CONNECT (what maxConnections limits), this one excluded. */
  sessionsExcept(except: Connection): number {
    let n = 0;
    for (const c of this.open) if (c !== except && c.state !== 'open' && c.state !== 'closed') n += 1;
    return n;
  }

  /** The device's announced (online) connection. */
  current(deviceId: string): Connection | undefined {
    return this.online.get(deviceId);
  }

  /** Open connections that authenticated, or are authenticating, as this device. */
  forDevice(deviceId: string): Connection[] {
    return [...this.open].filter(
      (c) => deviceOf(c) === deviceId || (c.state === 'authenticating' && c.username === deviceId),
    );
  }

  all(): Connection[] {
    return [...this.open];
  }

  /** aedes registered the client ('client' event). */
  registered(c: Connection): void {
    if (c.state === 'closed' || c.client?.closed) return;
    c.state = 'registered';
    this.announce(c);
  }

  /** aedes unregistered the client ('clientDisconnect'); returns the device id when it was a takeover. */
  unregistered(c: Connection): string | undefined {
    const deviceId = deviceOf(c);
    if (c.presence !== 'announced' || deviceId === undefined) return undefined;
    let takenOver: string | undefined;
    if (c.reason === undefined) {
      // [MQTT-3.1.4-2] aedes closes the old client while registering a newer one with the same id,
      // which is then authenticated but not yet registered: announce it first, then retire the old one.
      const successor = [...this.open]
        .filter((o) => o !== c && o.state === 'authenticated' && o.presence === 'none' && deviceOf(o) === deviceId)
        .at(-1);
      if (successor) {
        this.announce(successor);
        c.reason = 'taken_over';
        takenOver = deviceId;
      }
    }
    this.end(c);
    return takenOver;
  }

  /** It is no longer pending (authenticated, or closed): its place is free and its deadline off. */
  settle(c: Connection): void {
    c.pending?.();
    c.pending = undefined;
    if (c.deadline) clearTimeout(c.deadline);
    c.deadline = undefined;
  }

  /** The stream closed; the connection is gone whatever aedes reported. */
  closed(c: Connection): void {
    this.settle(c);
    c.state = 'closed';
    this.end(c);
    this.open.delete(c);
  }

  private announce(c: Connection): void {
    const deviceId = deviceOf(c);
    if (deviceId === undefined || c.presence !== 'none' || c.state === 'closed') return;
    c.presence = 'announced';
    this.online.set(deviceId, c);
    this.emit({ type: 'connected', deviceId, connectionId: c.id, address: c.address, at: this.now() });
  }

  private end(c: Connection): void {
    const deviceId = deviceOf(c);
    if (deviceId === undefined || c.presence !== 'announced') return;
    c.presence = 'ended';
    if (this.online.get(deviceId) === c) this.online.delete(deviceId);
    const reason = c.reason ?? (c.stream.guard.sawDisconnect ? 'clean' : 'lost');
    this.emit({ type: 'disconnected', deviceId, connectionId: c.id, reason, at: this.now() });
  }
}
