import type { AedesOptions, AuthErrorCode, AuthenticateError } from 'aedes';
import { authenticate, RC, type AuthResult, type RefusalCode } from '../auth/authenticate.ts';
import type { Connection } from '../connections.ts';
import type { Core } from '../core.ts';

/** CONNACK, session present 0, with a return code [MQTT-3.2.2.3]; the same bytes in MQTT 3.1 and 3.1.1. */
const connack = (code: number) => Buffer.from([0x20, 0x02, 0x00, code]);
/** [MQTT-3.2.2.3] 1: the protocol level is not one the server supports. */
const UNACCEPTABLE_PROTOCOL_VERSION = 1;
/** MQTT 3.1.1 is protocol level 4 [MQTT-3.1.2-2]. */
const MQTT_3_1_1 = 4;

const authError = (code: RefusalCode, why: string): AuthenticateError =>
  Object.assign(new Error(why), { returnCode: code as number as AuthErrorCode });

interface Refusal {
  code: number;
  why: string;
  /** Counted as rate limited (maxConnections, connection rate) rather than a refused parameter. */
  limited: boolean;
}

type ConnectPacket = Parameters<NonNullable<AedesOptions['preConnect']>>[1];
type AuthenticateHook = NonNullable<AedesOptions['authenticate']>;

/**
 * What preConnect refuses, in order: what no retry can fix first (protocol level, keepalive), then
 * the connection limits.
 * - [MQTT-3.1.2-2] only 3.1.1 is spoken: MQTT 3.1 ("MQIsdp", level 3) gets 1, as MQTT 5 does (aedes
 *   would accept 3.1 and answer 5 with the same code).
 * - [MQTT-3.1.2-24] keepalive 0 or above keepaliveLimitS: presence needs the keepalive. aedes would
 *   answer 6, which 3.1.1 does not define; 2 is this broker's "your CONNECT parameters are refused"
 *   (as for persistent sessions), the only defined code naming the request rather than the server
 *   (3), the credentials (4) or the account (5).
 */
function refusal(core: Core, conn: Connection, packet: ConnectPacket): Refusal | undefined {
  const { maxConnections, connectsPerMinutePerAddress, keepaliveLimitS } = core.ctx.config;
  if (packet.protocolVersion !== MQTT_3_1_1) {
    return {
      code: UNACCEPTABLE_PROTOCOL_VERSION,
      why: `protocol level ${String(packet.protocolVersion)} (only MQTT 3.1.1, level 4)`,
      limited: false,
    };
  }
  const keepalive = packet.keepalive ?? 0;
  if (keepalive === 0 || keepalive > keepaliveLimitS) {
    return {
      code: RC.IDENTIFIER_REJECTED,
      why: `keepalive ${keepalive} s (1 to ${keepaliveLimitS} s required)`,
      limited: false,
    };
  }
  if (core.conns.sessionsExcept(conn) >= maxConnections)
    return { code: RC.SERVER_UNAVAILABLE, why: `connection limit of ${maxConnections} reached`, limited: true };
  if (!core.connectRate.take(conn.address)) {
    return {
      code: RC.SERVER_UNAVAILABLE,
      why: `more than ${connectsPerMinutePerAddress} connection attempts per minute from this address`,
      limited: true,
    };
  }
  return undefined;
}

/**
 * preConnect: remembers what the CONNECT said (aedes hides the raw client id and the will object from
 * authenticate) and refuses what `refusal` finds. A refusal is answered with its CONNACK before the
 * connection closes, so a device knows why (or backs off) instead of seeing a bare reset.
 */
export function preConnectHook(core: Core): NonNullable<AedesOptions['preConnect']> {
  const preConnect = preConnectNow(core);
  return (client, packet, callback) => core.turns.run(() => preConnect(client, packet, callback));
}

function preConnectNow(core: Core): NonNullable<AedesOptions['preConnect']> {
  return (client, packet, callback) => {
    const conn = core.conns.of(client.conn);
    if (!conn) return callback(new Error('connection not accepted by the broker'), false);
    conn.client = client;
    conn.state = 'connecting';
    conn.connect = { clientId: packet.clientId ?? '', clean: packet.clean !== false, will: packet.will ?? undefined };
    const r = refusal(core, conn, packet);
    if (!r) return callback(null, true);
    if (r.limited) core.counters.rateLimited += 1;
    else core.counters.authFailures += 1;
    core.limitedLog.warn(
      `connect-refused:${conn.address}`,
      { address: conn.address, clientId: core.clip(packet.clientId), returnCode: r.code },
      `connection refused: ${r.why}`,
    );
    // aedes closes the connection on the error, after the CONNACK has been handed to the socket
    client.conn.write(connack(r.code), () => callback(new Error(r.why), false));
  };
}

function logRefusal(core: Core, conn: Connection, r: Extract<AuthResult, { ok: false }>): void {
  const fields = {
    username: core.clip(conn.username),
    clientId: core.clip(conn.connect?.clientId),
    address: conn.address,
    returnCode: r.code,
  };
  if (r.kind === 'locked') core.counters.lockedOut += 1;
  else core.counters.authFailures += 1;
  core.limitedLog.warn(`connect-refused:${conn.address}`, fields, `connection refused: ${r.why}`);
  if (r.lockedNow) {
    const { maxFailures, windowS, lockS } = core.ctx.config.lockout;
    const what = r.lockedNow === 'address' ? 'address' : 'username at this address';
    core.limitedLog.warn(
      `locked-out:${conn.address}`,
      { ...fields, lockS },
      `${what} locked out for ${lockS} s after ${maxFailures} failed logins within ${windowS} s`,
    );
  }
}

/**
 * authenticate: runs the account checks (auth/authenticate.ts) and binds the connection to its
 * principal. Return codes: 2 identifier (empty, spoofed, persistent session), 4 wrong secret,
 * 5 anonymous, unknown, disabled or locked out, 3 when the credential check itself failed.
 */
export function authenticateHook(core: Core): NonNullable<AedesOptions['authenticate']> {
  return (client, username, password, done) =>
    core.turns.run(() => authenticateNow(core, client, username, password, done));
}

function authenticateNow(core: Core, ...[client, username, password, done]: Parameters<AuthenticateHook>): void {
  const conn = core.conns.of(client.conn);
  if (!conn?.connect) return done(authError(RC.NOT_AUTHORIZED, 'connection not accepted by the broker'), false);
  const connect = conn.connect;
  conn.state = 'authenticating';
  conn.username = username;
  const request = {
    clientId: connect.clientId,
    username,
    password,
    cleanSession: connect.clean,
    willTopic: connect.will?.topic,
    address: conn.address,
  };
  authenticate(request, core.auth).then(
    (result) => {
      if (result.ok && conn.revoked) {
        result = { ok: false, code: RC.NOT_AUTHORIZED, why: 'credentials revoked while connecting', kind: 'refused' };
      }
      if (!result.ok) {
        logRefusal(core, conn, result);
        conn.state = 'connecting';
        return done(authError(result.code, result.why), false);
      }
      conn.principal = result.principal;
      conn.state = 'authenticated';
      core.conns.settle(conn);
      core.ctx.log.debug(
        { clientId: connect.clientId, address: conn.address, kind: result.principal.kind },
        'authenticated',
      );
      done(null, true);
    },
    (err: unknown) => {
      // one key for all: a failing registry fails every device at once
      core.limitedLog.error(
        'credential-check-failed',
        { err, username: core.clip(username) },
        'credential check failed; refusing with "server unavailable"',
      );
      done(authError(RC.SERVER_UNAVAILABLE, 'credential check failed'), false);
    },
  );
}
