import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { DownDoc } from './contract/documents.ts';

/** The documents' schemas live in the contract (CLOUD-PROTOCOL.md [CLP-5]); re-exported for their old importers. */
export {
  DOC_BODIES,
  DOC_NAMES,
  DocAckSchema,
  DownDocSchema,
  type DocAck,
  type DocName,
  type DownDoc,
} from './contract/documents.ts';

const DOMAIN = 'LINLI-DOC2';
/**
 * [CLP-5.2] The signed bytes: SHA-256 over the domain tag and the JSON of [gateway, doc, kind, version, base,
 * issuedAt, body]. What is signed names the gateway too: a document for one gateway cannot be replayed to another.
 */
const signedBytes = (gatewayId: string, d: Omit<DownDoc, 'sig' | 'kid'>) =>
  createHash('sha256')
    .update(DOMAIN)
    .update(JSON.stringify([gatewayId, d.doc, d.kind, d.version, d.base ?? null, d.issuedAt, d.body]))
    .digest();

/** Signs a document for one gateway (the cloud's side; the simulated cloud and tests use it). */
export function signDoc(gatewayId: string, d: Omit<DownDoc, 'sig' | 'kid'>, kid: string, key: KeyObject): DownDoc {
  return { ...d, kid, sig: sign(null, signedBytes(gatewayId, d), key).toString('base64url') };
}

/** Whether a document carries a good signature by one of the trusted keys, made for this gateway. */
export function verifyDoc(gatewayId: string, d: DownDoc, keys: ReadonlyMap<string, KeyObject>): boolean {
  if (!d.sig || !d.kid) return false;
  const key = keys.get(d.kid);
  if (!key) return false;
  const { sig: _s, kid: _k, ...rest } = d;
  return verify(null, signedBytes(gatewayId, rest), key, Buffer.from(d.sig, 'base64url'));
}
