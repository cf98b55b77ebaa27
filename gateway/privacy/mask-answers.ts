import type { FastifyReply, FastifyRequest } from 'fastify';
import { maskFreeText, maskPhone, maskTracking } from './mask.ts';

/** Who needs a resident's personal details in clear: operators and admins at the desk; not a screen, not a shop. */
export const seesPersonalData = (staff: { role: string; merchantId: string | null } | undefined): boolean =>
  staff !== undefined && staff.role !== 'viewer' && staff.merchantId === null;

/**
 * Fields of staff API answers that can hold a resident's or a visitor's name or phone, by key: a visitor
 * code's `label` (staff type "张三 13812341234"), a parcel's `tracking` number, any `phone`, and staff's
 * free-text notes (reversals, alerts), which may name the resident they are about.
 */
const MASKS: Record<string, (v: string) => string> = {
  phone: maskPhone,
  mobile: maskPhone,
  tracking: maskTracking,
  note: maskFreeText,
  reversalNote: maskFreeText,
};

/** A copy of an answer with those fields masked (the console's rules: 张*, 138****1234). */
export function maskAnswer(value: unknown, parent?: Record<string, unknown>, key?: string): unknown {
  if (typeof value === 'string') {
    if (key === undefined) return value;
    const mask = MASKS[key];
    if (mask) return mask(value);
    // a visitor code's label (it has a host): names whoever the code is for
    if (key === 'label' && parent && 'hostMemberId' in parent) return maskFreeText(value);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => maskAnswer(v));
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const o = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = maskAnswer(v, o, k);
    return out;
  }
  return value;
}

/** preSerialization hook: answers to a viewer's or a shop's token are masked; operators and admins see them whole. */
export async function maskForRole(req: FastifyRequest, _reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (req.staff === undefined || seesPersonalData(req.staff)) return payload;
  return maskAnswer(payload);
}
