import type { IntegrationAccount } from '../../../gateway/config/schema.ts';

/** Usernames with this prefix are integration accounts from config; never device ids [FWP-1.3]. */
const INTEGRATION_PREFIX = 'integration-';

/** Longest client id accepted: device ids are at most 48 characters, integrations add a suffix. */
export const MAX_CLIENT_ID_LENGTH = 64;

export function isIntegrationUsername(username: string): boolean {
  return username.startsWith(INTEGRATION_PREFIX);
}

/**
 * The integration account a client id belongs to: the one whose username equals it or, followed by
 * "-", starts it; with several, the longest name wins ("integration-ha-lab-1" is integration-ha-lab's).
 */
export function integrationOwning(
  clientId: string,
  accounts: readonly IntegrationAccount[],
): IntegrationAccount | undefined {
  let owner: IntegrationAccount | undefined;
  for (const a of accounts) {
    const matches = clientId === a.username || clientId.startsWith(`${a.username}-`);
    if (matches && (!owner || a.username.length > owner.username.length)) owner = a;
  }
  return owner;
}
