import * as z from 'zod';

/**
 * The IPC protocol between PcscCardReader (parent) and pcsc-child.mjs. The child is plain JavaScript and
 * cannot import these schemas, so every message it sends is validated here before it is believed.
 */
const Name = z.string().max(200);

export const ChildMessageSchema = z.discriminatedUnion('type', [
  /** nfc-pcsc loaded and its PC/SC context created (the step that hangs without pcscd). */
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('pong'), seq: z.number().int().nonnegative() }),
  /** uid as the reader gave it; the parent normalises and re-checks it. */
  z.object({ type: z.literal('card'), uid: z.string().max(64), reader: Name }),
  z.object({ type: z.literal('reader'), event: z.enum(['attached', 'detached']), reader: Name }),
  /** The child cannot work here (library missing, no PC/SC); it exits right after this. */
  z.object({ type: z.literal('unavailable'), reason: z.string().min(1).max(500) }),
  /** A non-fatal problem (a card that could not be read, a PC/SC error). */
  z.object({ type: z.literal('error'), message: z.string().max(500) }),
]);
export type ChildMessage = z.infer<typeof ChildMessageSchema>;

export type ParentMessage = { type: 'ping'; seq: number } | { type: 'stop' };

/** Environment variables the parent sets for the child. */
export const CHILD_ENV = {
  /** The child exits when the parent has been silent this long (a parent that died without a clean stop). */
  parentTimeoutMs: 'LINLI_PCSC_PARENT_TIMEOUT_MS',
  /** Module specifier to load instead of "nfc-pcsc" (tests only). */
  module: 'LINLI_NFC_PCSC_MODULE',
} as const;
