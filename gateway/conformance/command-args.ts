import type * as z from 'zod';

export type BuiltArgs = { ok: true; args: Record<string, unknown> } | { ok: false; why: string };

/** A free-text argument is a string that may be this long; shorter strings name something of the device. */
const FREE_TEXT_MIN_MAX = 20;
const TEXT = 'Linli conformance kit: test message';

interface Introspected {
  type: string;
  minLength?: number | null;
  maxLength?: number | null;
  minValue?: number | null;
  maxValue?: number | null;
  options?: readonly unknown[];
  value?: unknown;
  _zod: { optin?: string };
}

/**
 * The ids of the things of one name in a birth's capabilities: for an argument `door`, the `id` (or
 * `door`) of each element of `capabilities.doors`. Derived from names only, so a new kind's command
 * that names one of its things (`valve` ↔ `valves`) gets valid arguments without editing the kit.
 */
export function idsIn(capabilities: unknown, name: string): string[] {
  if (!capabilities || typeof capabilities !== 'object') return [];
  const caps = capabilities as Record<string, unknown>;
  const list = caps[`${name}s`] ?? caps[`${name}es`];
  if (!Array.isArray(list)) return [];
  return list
    .map((e) =>
      e && typeof e === 'object' ? ((e as Record<string, unknown>).id ?? (e as Record<string, unknown>)[name]) : e,
    )
    .filter((v): v is string => typeof v === 'string');
}

/** A valid value for one required argument, or why there is none. */
function valueFor(name: string, schema: Introspected, capabilities: unknown): { value: unknown } | { why: string } {
  switch (schema.type) {
    case 'literal':
      return { value: schema.value };
    case 'enum':
      return schema.options?.length ? { value: schema.options[0] } : { why: `"${name}" has no values` };
    case 'boolean':
      return { value: false };
    case 'number': {
      const min = schema.minValue ?? 0;
      return { value: Number.isFinite(min) ? min : 0 };
    }
    case 'string': {
      const max = schema.maxLength ?? Number.POSITIVE_INFINITY;
      const [id] = idsIn(capabilities, name);
      if (id !== undefined) return { value: id };
      if (max >= FREE_TEXT_MIN_MAX) return { value: TEXT.slice(0, max).padEnd(schema.minLength ?? 0, '.') };
      return { why: `its birth's capabilities list no "${name}s" to name a ${name} from` };
    }
    default:
      return { why: `the kit cannot make up a "${name}" (${schema.type})` };
  }
}

/**
 * [FWP-9.2] Valid arguments for a command: its required arguments built from the birth's
 * capabilities (an existing compartment, door or socket) or the schema's bounds, defaults applied as
 * the gateway applies them. Not every command can be built: then the reason, and it is not exercised.
 */
export function buildArgs(schema: z.ZodObject, capabilities: unknown): BuiltArgs {
  const draft: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(schema.shape)) {
    const s = f as unknown as Introspected;
    if (s._zod.optin !== undefined) continue; // optional or defaulted: the schema fills it in
    const v = valueFor(name, s, capabilities);
    if ('why' in v) return { ok: false, why: `cannot build "${name}": ${v.why}` };
    draft[name] = v.value;
  }
  const parsed = schema.safeParse(draft);
  if (!parsed.success)
    return { ok: false, why: `cannot build valid arguments: ${parsed.error.issues.map((i) => i.message).join('; ')}` };
  return { ok: true, args: parsed.data as Record<string, unknown> };
}
