import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StaffTokens } from '../security/staff-tokens.ts';

const DEMO_TOKEN_FILE = 'demo-admin-token';
const LABEL = 'demo';

/**
 * The demo's admin token, the same across restarts of the same data folder, so an open dashboard keeps
 * working: kept in the data folder (mode 0600, like an SSH key) and reused while the gateway still
 * accepts it; a new one only when it was revoked or the file is gone.
 */
export async function stableDemoToken(
  tokens: StaffTokens,
  dataDir: string,
): Promise<{ token: string; reused: boolean; file: string }> {
  const file = join(dataDir, DEMO_TOKEN_FILE);
  const kept = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const rec = kept ? tokens.authenticate(kept) : undefined;
  if (rec && rec.role === 'admin' && rec.merchantId === null) {
    chmodSync(file, 0o600);
    return { token: kept, reused: true, file };
  }
  // the demo tokens of earlier runs whose file is gone can no longer be shown: retire them
  for (const t of tokens.list()) if (t.label === LABEL && t.revokedAt === null) await tokens.revoke(t.id);
  const { token } = await tokens.create('admin', LABEL);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
  return { token, reused: false, file };
}
