import { createCipheriv } from 'node:crypto';

/** AES-128 encryption of one block (ECB of a single block = the raw cipher). */
export function encryptBlock(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

function shiftLeft(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = (((b[i] as number) << 1) | ((b[i + 1] ?? 0) >> 7)) & 0xff;
  return out;
}

/** RFC 4493 subkeys K1, K2. */
export function subkeys(key: Buffer): [Buffer, Buffer] {
  const l = encryptBlock(key, Buffer.alloc(16));
  const k1 = shiftLeft(l);
  if ((l[0] as number) & 0x80) k1[15] = (k1[15] as number) ^ 0x87;
  const k2 = shiftLeft(k1);
  if ((k1[0] as number) & 0x80) k2[15] = (k2[15] as number) ^ 0x87;
  return [k1, k2];
}

/** AES-CMAC (RFC 4493) of `message` under a 16-byte key; node:crypto has AES but no CMAC. */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  if (key.length !== 16) throw new Error('AES-128 key must be 16 bytes');
  const [k1, k2] = subkeys(key);
  const n = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = Buffer.alloc(16);
  if (complete) {
    message.copy(last, 0, (n - 1) * 16);
    for (let i = 0; i < 16; i++) last[i] = (last[i] as number) ^ (k1[i] as number);
  } else {
    const rest = message.subarray((n - 1) * 16);
    rest.copy(last);
    last[rest.length] = 0x80;
    for (let i = 0; i < 16; i++) last[i] = (last[i] as number) ^ (k2[i] as number);
  }
  let x: Buffer = Buffer.alloc(16);
  for (let b = 0; b < n - 1; b++) {
    const y = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) y[i] = (x[i] as number) ^ (message[b * 16 + i] as number);
    x = encryptBlock(key, y);
  }
  for (let i = 0; i < 16; i++) last[i] = (last[i] as number) ^ (x[i] as number);
  return encryptBlock(key, last);
}
