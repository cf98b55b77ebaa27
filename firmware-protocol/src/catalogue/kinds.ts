import { boxCodes } from '../../../devices/box/codes.ts';
import { KIND_MODULES } from '../../../devices/registry.ts';
import type { KindCodes } from './text.ts';

/**
 * The codes each device kind declares (its module's `codes`, a leaf file in its folder), by kind, from
 * the registry. Only the catalogue's index imports this, and nothing in the registry's cone imports
 * the index: the base families (errors, declines, ...) the gateway reads stay free of the registry.
 */
export const KIND_CODES: Readonly<Record<string, KindCodes>> = Object.fromEntries(
  KIND_MODULES.map((m) => [m.wire.kind, m.codes]),
);

/** The gateway box's own hardware (devices/box/): not a kind, but its health has codes too. */
export const BOX_CODES: KindCodes = boxCodes;
