import { ERRORS } from './catalogue/errors.ts';
import { type CodeText, textOf } from './catalogue/text.ts';

type WireCode = {
  [K in keyof typeof ERRORS]: (typeof ERRORS)[K]['wire'] extends true ? K : never;
}[keyof typeof ERRORS];

/**
 * [FWP-6.2] What a device shows a resident for each error code it can receive, in both languages: a
 * view of the catalogue's error texts (catalogue/errors.ts), so every wire code has its own text by
 * construction. A text never invites a retry the protocol forbids: "try again" only where PROTOCOL.md
 * says the device may retry.
 */
export const ERROR_DISPLAY: Readonly<Record<WireCode, CodeText>> = Object.fromEntries(
  Object.entries(ERRORS)
    .filter(([, e]) => e.wire)
    .map(([code, e]) => [code, textOf(e)]),
) as Record<WireCode, CodeText>;

export type WireErrorCode = WireCode;
