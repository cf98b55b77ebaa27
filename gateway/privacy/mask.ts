/**
 * How staff who need not know a resident see their name or phone (the console and the staff API use the
 * same rules, so a screen and an API answer never disagree). Pure: no imports, usable in the browser.
 */

/** A name as staff may see it: the first character, then one star (张三丰 → 张*). */
export function maskName(name: string | null | undefined): string {
  const chars = [...(name ?? '').trim()];
  if (chars.length === 0) return '—';
  return `${chars[0]}*`;
}

/** A phone number as staff may see it: 13812341234 → 138****1234; short numbers keep only their last two digits. */
export function maskPhone(phone: string | null | undefined): string {
  const digits = (phone ?? '').replace(/[^\d+]/g, '');
  if (digits.length === 0) return '—';
  if (digits.length >= 11) return `${digits.slice(0, digits.length - 8)}****${digits.slice(-4)}`;
  if (digits.length <= 4) return `${'*'.repeat(Math.max(0, digits.length - 2))}${digits.slice(-2)}`;
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/**
 * Free text staff typed (a visitor code's label, a note) may hold a name and a phone number: the phone
 * number keeps its phone mask; the rest keeps its first character, as a name does ("张三 13812341234" →
 * "张* 138****1234"). Nothing in it can be told apart from a name, so every word is treated as one.
 */
export function maskFreeText(text: string | null | undefined): string {
  if (text === null || text === undefined || text.trim() === '') return '—';
  return text
    .split(/(\+?\d[\d -]{5,}\d)/)
    .map((part, i) =>
      i % 2 === 1
        ? maskPhone(part)
        : part
            .split(/(\s+)/)
            .map((w) => (w.trim() === '' ? w : maskName(w)))
            .join(''),
    )
    .join('');
}

/** A parcel's tracking number: only its last four characters (enough to tell two parcels apart at the desk). */
export function maskTracking(tracking: string | null | undefined): string {
  const t = (tracking ?? '').trim();
  if (t.length <= 4) return '*'.repeat(t.length) || '—';
  return `${'*'.repeat(Math.min(t.length - 4, 6))}${t.slice(-4)}`;
}
