import type { AedesOptions, AuthErrorCode, AuthenticateError } from 'aedes';
import { authenticate, RC, type AuthResult, type RefusalCode } from '../auth/authenticate.ts';
import type { Connection } from '../connections.ts';
import type { Core } from '../core.ts';

/** CONNACK, session present 0, return code 3 "server unavailable" [MQTT-3.2.2.3]. */
const CONNACK_SERVER_UNAVAILABLE = Buffer.from([0x20, 0x02, 0x00, 0x03]);

const authError = (code: RefusalCode, why: string): AuthenticateError =>
  Object.assign(new Error(why), { returnCode: code as number as AuthErrorCode });

/** maxConnections and the per-address connection rate, checked before anything else of a CONNECT. */
function admissionRefusal(core: Core, conn: Connection): string | undefined {
  const { maxConnections, connectsPerMinutePerAddress } = core.ctx.config;
  if (core.conns.sessionsExcept(conn) >= maxConnections) return `connection limit of ${maxConnections} reached`;
  if (!core.connectRate.take(conn.address)) return `more than ${connectsPerMinutePerAddress} connection attempts per minute from this address`;
  return undefined;
}

/**
 * preConnect: remembers what the CONNECT said (aedes hides the raw client id and the will object from
 * authenticate) and applies connection limits. A refusal is answered with CONNACK 3 before the
 * connection closes, so a device backs off instead of seeing a bare reset.
 */
export function preConnectHook(core: Core): NonNullable<AedesOptions['preConnect']> {
  return (client, packet, callback) => {
    const conn = core.conns.of(client.conn);
    if (!conn) return callback(new Error('connection not accepted by the broker'), false);
    conn.client = client;
    conn.state = 'connecting';
    conn.connect = { clientId: packet.clientId ?? '', clean: packet.clean !== false, will: packet.will ?? undefined };
    const why = admissionRefusal(core, conn);
    if (!why) return callback(null, true);
    core.counters.rateLimited += 1;
    core.ctx.log.warn({ address: conn.address, clientId: core.clip(packet.clientId) }, `connection refused: ${why}`);
    // aedes closes the connection on the error, after the CONNACK has been handed to the socket
    if (packet.protocolVersion === 3 || packet.protocolVersion === 4) {
      client.conn.write(CONNACK_SERVER_UNAVAILABLE, () => callback(new Error(why), false));
    } else {
      callback(new Error(why), false);
    }
  };
}

function logRefusal(core: Core, conn: Connection, r: Extract<AuthResult, { ok: false }>): void {
  const fields = { username: core.clip(conn.username), clientId: core.clip(conn.connect?.clientId), address: conn.address, returnCode: r.code };
  if (r.kind === 'locked') core.counters.lockedOut += 1;
  else core.counters.authFailures += 1;
  core.ctx.log.warn(fields, `connection refused: ${r.why}`);
  if (r.lockedNow) {
    const { maxFailures, windowS, lockS } = core.ctx.config.lockout;
    core.ctx.log.warn({ ...fields, lockS }, `${r.lockedNow} locked out for ${lockS} s after ${maxFailures} failed logins within ${windowS} s`);
  }
}

/**
 * authenticate: runs the account checks (auth/authenticate.ts) and binds the connection to its
 * principal. Return codes: 2 identifier (empty, spoofed, persistent session), 4 wrong secret,
 * 5 anonymous, unknown, disabled or locked out, 3 when the credential check itself failed.
 */
export function authenticateHook(core: Core): NonNullable<AedesOptions['authenticate']> {
  return (client, username, password, done) => {
    const conn = core.conns.of(client.conn);
    if (!conn?.connect) return done(authError(RC.NOT_AUTHORIZED, 'connection not accepted by the broker'), false);
    const connect = conn.connect;
    conn.state = 'authenticating';
    conn.username = username;
    const request = { clientId: connect.clientId, username, password, cleanSession: connect.clean, willTopic: connect.will?.topic, address: conn.address };
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
        core.ctx.log.debug({ clientId: connect.clientId, address: conn.address, kind: result.principal.kind }, 'authenticated');
        done(null, true);
      },
      (err: unknown) => {
        core.ctx.log.error({ err, username: core.clip(username) }, 'credential check failed; refusing with "server unavailable"');
        done(authError(RC.SERVER_UNAVAILABLE, 'credential check failed'), false);
      },
    );
  };
}
