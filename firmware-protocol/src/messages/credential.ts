import * as z from 'zod';

const Hex = (min: number, max: number) =>
  z.string().regex(new RegExp(`^[0-9A-Fa-f]{${min},${max}}$`), `expected ${min}–${max} hex digits`);

/** [FWP-11.1] How a resident identified themselves at the device. Card data never leaves the gateway. */
export const WireCredentialSchema = z.discriminatedUnion('type', [
  /** A plain NFC card's UID (4, 7 or 10 bytes): clonable, so capped per purchase and per day. */
  z.object({ type: z.literal('uid'), uid: Hex(8, 20) }).strict(),
  /** An NTAG 424 DNA tap: the encrypted PICC data and the SUN MAC from the card's NDEF URL. */
  z.object({ type: z.literal('sun'), picc: Hex(32, 32), cmac: Hex(16, 16) }).strict(),
  /** The member's rotating QR code, as scanned. */
  z.object({ type: z.literal('qr'), code: z.string().min(10).max(1024) }).strict(),
  /**
   * [FWP-11.8] A coupon's QR code, as scanned at a shop: it names one coupon of one member and pays for
   * nothing else (the rest of the bill is collected at the till, never from the wallet).
   */
  z
    .object({
      type: z.literal('coupon'),
      code: z.string().regex(/^LC[0-9A-Za-z]{10,30}$/, 'expected a coupon code "LC…"'),
    })
    .strict(),
]);

export type WireCredential = z.infer<typeof WireCredentialSchema>;
