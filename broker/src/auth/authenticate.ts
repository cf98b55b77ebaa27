import { DeviceIdSchema } from '../../../firmware-protocol/src/kinds/device-id.ts';
import type { IntegrationAccount } from '../../../gateway/config/schema.ts';
import { deviceWill, type Principal } from '../acl.ts';
import type { Lockout } from '../limits/lockout.ts';
import type { DeviceCredentialCheck } from '../types.ts';
import { integrationOwning, isIntegrationUsername, MAX_CLIENT_ID_LENGTH } from './accounts.ts';

/** CONNACK return codes used for refusals [MQTT-3.2.2.3]. */
export const RC = { IDENTIFIER_REJECTED: 2, SERVER_UNAVAILABLE: 3, BAD_CREDENTIALS: 4, NOT_AUTHORIZED: 5 } as const;
export type RefusalCode = (typeof RC)[keyof typeof RC];

/** What the CONNECT packet said, plus where it came from. */
export interface AuthRequest {
  /** As sent; may be empty (aedes then invents one, which we never accept). */
  clientId: string;
  username: string | undefined;
  password: Buffer | undefined;
  cleanSession: boolean;
  willTopic: string | undefined;
  address: string;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      code: RefusalCode;
      /** For the log; never sent to the client (MQTT 3.1.1 CONNACK has no reason text). */
      why: string;
      /** 'failure' counts towards lockout; 'locked' was refused by it; 'refused' is neither. */
      kind: 'failure' | 'locked' | 'refused';
      /** Set when this failure locked the username at this address, or the address. */
      lockedNow?: 'username@address' | 'address';
    };

export interface AuthDeps {
  integrations: readonly IntegrationAccount[];
  credentials: DeviceCredentialCheck;
  verifySecret: (secret: Buffer, encodedHash: string) => Promise<boolean>;
  /** Keyed `${username}@${address}` (see lockoutKey): a guesser locks that account out only where it guesses from. */
  byUsernameAtAddress: Lockout;
  byAddress: Lockout;
}

type Refusal = Extract<AuthResult, { ok: false }>;
type Step = (req: AuthRequest, deps: AuthDeps) => AuthResult | undefined | Promise<AuthResult | undefined>;

const refuse = (code: RefusalCode, why: string, kind: Refusal['kind'] = 'refused'): Refusal => ({
  ok: false,
  code,
  why,
  kind,
});
/** Usernames this long are no account (device ids ≤ 48, integration names ≤ 52): no lockout key for them. */
const MAX_USERNAME_KEY = 64;

/**
 * The lockout key of a username at an address. Never the username alone: anyone could then lock a
 * device or integration out everywhere with a few wrong passwords. Addresses contain no '@', so the
 * key is unambiguous whatever the username.
 */
function lockoutKey(username: string, address: string): string {
  return `${username}@${address}`;
}

/**
 * The checks of a CONNECT, in order, as named steps (each returns a verdict or undefined to go on).
 * Everything cheap comes before the secret: a refusal by identity, session or lockout costs no scrypt.
 */
export const AUTH_STEPS: readonly (readonly [string, Step])[] = [
  // [MQTT-3.1.3-8] aedes accepts an empty client id even with cleanSession=0 (aedes#1095); we never do
  ['clientIdPresent', (r) => (r.clientId.length === 0 ? refuse(RC.IDENTIFIER_REJECTED, 'empty client id') : undefined)],
  [
    'clientIdLength',
    (r) =>
      r.clientId.length > MAX_CLIENT_ID_LENGTH ? refuse(RC.IDENTIFIER_REJECTED, 'client id too long') : undefined,
  ],
  // The default in-memory persistence keeps QoS 1 queues of persistent sessions without bound (FIELD-NOTES),
  // and the protocol needs none: a device re-subscribes and sends a birth on every connection [FWP-8.2].
  // Return code 2 is the one that names the session request as what was refused; the log says why.
  [
    'cleanSessionOnly',
    (r) =>
      r.cleanSession
        ? undefined
        : refuse(RC.IDENTIFIER_REJECTED, 'persistent sessions are not supported; connect with cleanSession=1'),
  ],
  [
    'credentialsPresent',
    (r) => (r.username && r.password ? undefined : refuse(RC.NOT_AUTHORIZED, 'anonymous connections are refused')),
  ],
  [
    'addressNotLocked',
    (r, d) =>
      d.byAddress.lockedFor(r.address) > 0
        ? refuse(RC.NOT_AUTHORIZED, 'address locked out after failed logins', 'locked')
        : undefined,
  ],
  [
    'usernameAtAddressNotLocked',
    (r, d) =>
      d.byUsernameAtAddress.lockedFor(lockoutKey(r.username ?? '', r.address)) > 0
        ? refuse(RC.NOT_AUTHORIZED, 'username locked out at this address after failed logins', 'locked')
        : undefined,
  ],
  ['identity', (r, d) => (isIntegrationUsername(r.username ?? '') ? integrationIdentity(r, d) : deviceIdentity(r))],
  ['secret', (r, d) => (isIntegrationUsername(r.username ?? '') ? integrationSecret(r, d) : deviceSecret(r, d))],
];

/** [FWP-1.3] A device's username is its id, and its client id is the same id. */
function deviceIdentity(r: AuthRequest): AuthResult | undefined {
  const username = r.username ?? '';
  if (!DeviceIdSchema.safeParse(username).success)
    return refuse(RC.NOT_AUTHORIZED, 'the username is not a device id', 'failure');
  if (r.clientId !== username)
    return refuse(RC.IDENTIFIER_REJECTED, 'a device must use its device id as client id and username');
  if (r.willTopic !== undefined) {
    const will = deviceWill(username, r.willTopic);
    if (!will.allow) return refuse(RC.NOT_AUTHORIZED, will.why);
  }
  return undefined;
}

async function deviceSecret(r: AuthRequest, d: AuthDeps): Promise<AuthResult> {
  const deviceId = r.username ?? '';
  const verdict = await d.credentials.checkDevice(deviceId, r.password ?? Buffer.alloc(0));
  switch (verdict) {
    case 'ok':
      return { ok: true, principal: { kind: 'device', deviceId } };
    case 'bad_credentials':
      return refuse(RC.BAD_CREDENTIALS, 'wrong device secret', 'failure');
    case 'unknown_device':
      return refuse(RC.NOT_AUTHORIZED, 'unknown device', 'failure');
    case 'disabled':
      // the secret may well be right: a disabled device retrying is no guessing, so no lockout count
      return refuse(RC.NOT_AUTHORIZED, 'device is disabled');
  }
}

function integrationIdentity(r: AuthRequest, d: AuthDeps): AuthResult | undefined {
  const account = d.integrations.find((a) => a.username === r.username);
  if (!account) return refuse(RC.NOT_AUTHORIZED, 'unknown integration account', 'failure');
  // the client id belongs to the account with the longest matching name, so "integration-ha" cannot
  // take over the connections of "integration-ha-lab" by picking its client ids
  if (integrationOwning(r.clientId, d.integrations)?.username !== account.username) {
    return refuse(
      RC.IDENTIFIER_REJECTED,
      `an integration's client id must be its username or start with "${account.username}-"`,
    );
  }
  if (r.willTopic !== undefined) return refuse(RC.NOT_AUTHORIZED, 'integration accounts may not set a will');
  return undefined;
}

async function integrationSecret(r: AuthRequest, d: AuthDeps): Promise<AuthResult> {
  const account = d.integrations.find((a) => a.username === r.username);
  if (!account) return refuse(RC.NOT_AUTHORIZED, 'unknown integration account', 'failure');
  if (!(await d.verifySecret(r.password ?? Buffer.alloc(0), account.passwordHash))) {
    return refuse(RC.BAD_CREDENTIALS, 'wrong integration password', 'failure');
  }
  return { ok: true, principal: { kind: 'integration', username: account.username, subscribe: account.subscribe } };
}

/**
 * Runs AUTH_STEPS and keeps the lockout books: a failure counts for the username at that address and
 * for the address, a success clears the failures of the username at that address (never the
 * address's: one good login must not reset a guesser on the same address). Failures from one address
 * never lock out the same account from another. Throws only if the credential check itself throws.
 */
export async function authenticate(req: AuthRequest, deps: AuthDeps): Promise<AuthResult> {
  let result: AuthResult | undefined;
  for (const [, step] of AUTH_STEPS) {
    result = await step(req, deps);
    if (result) break;
  }
  const final = result ?? refuse(RC.NOT_AUTHORIZED, 'no account check decided');
  const username = req.username ?? '';
  const userKey =
    username.length > 0 && username.length <= MAX_USERNAME_KEY ? lockoutKey(username, req.address) : undefined;
  if (final.ok) {
    if (userKey) deps.byUsernameAtAddress.succeed(userKey);
    return final;
  }
  if (final.kind === 'failure') {
    const userLocked = userKey ? deps.byUsernameAtAddress.fail(userKey) : false;
    const addressLocked = deps.byAddress.fail(req.address);
    if (userLocked) final.lockedNow = 'username@address';
    else if (addressLocked) final.lockedNow = 'address';
  }
  return final;
}
