import { encryptBlock, subkeys } from './aes-cmac.ts';

/**
 * NXP AN10922 AES-128 key diversification: a per-card key from a master key and the card's UID, so a
 * key read out of one card opens no other. D = 0x01 ‖ input, padded with 0x80 00… to 32 bytes (then the
 * last block is XORed with K2, else K1), and the CBC-MAC of D under the master key is the card key.
 * Our diversification input is UID ‖ "LINLI" (the application identifier), up to 31 bytes.
 */
export function diversifyAes128(masterKey: Buffer, input: Buffer): Buffer {
  if (input.length > 31) throw new Error('diversification input is at most 31 bytes');
  const [k1, k2] = subkeys(masterKey);
  const d = Buffer.alloc(32);
  d[0] = 0x01;
  input.copy(d, 1);
  const padded = input.length + 1 < 32;
  if (padded) d[input.length + 1] = 0x80;
  const k = padded ? k2 : k1;
  for (let i = 0; i < 16; i++) d[16 + i] = (d[16 + i] as number) ^ (k[i] as number);
  const first = encryptBlock(masterKey, d.subarray(0, 16));
  const second = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) second[i] = (first[i] as number) ^ (d[16 + i] as number);
  return encryptBlock(masterKey, second);
}

const LINLI_APP_ID = Buffer.from('LINLI', 'ascii');

/** The SDM file read key of one card. */
export function cardFileReadKey(masterKey: Buffer, uid: Buffer): Buffer {
  return diversifyAes128(masterKey, Buffer.concat([uid, LINLI_APP_ID]));
}
