/**
 * MQTT 3.1.1 topic names and topic filters [MQTT-4.7]: matching a topic against a filter and deciding
 * whether one filter is contained in another (every topic the inner one matches, the outer one matches too).
 * Pure functions; the ACL uses them for integration accounts and for the forward check.
 */

/** Levels of a topic or filter; "a//b" has an empty middle level [MQTT-4.7.1-1]. */
export function levels(topicOrFilter: string): string[] {
  return topicOrFilter.split('/');
}

/**
 * A valid filter: non-empty, '#' only as the whole last level,
 * '+' only as a whole level [MQTT-4.7.1-2], [MQTT-4.7.1-3].
 */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  const parts = levels(filter);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? '';
    if (p.includes('#') && (p !== '#' || i !== parts.length - 1)) return false;
    if (p.includes('+') && p !== '+') return false;
  }
  return true;
}

/** A valid topic name for PUBLISH: non-empty and without wildcards [MQTT-3.3.2-2]. */
export function isValidTopicName(topic: string): boolean {
  return topic.length > 0 && !topic.includes('+') && !topic.includes('#');
}

const isWildcard = (level: string | undefined) => level === '+' || level === '#';

/**
 * Does `filter` match the concrete `topic`? A filter starting with a wildcard never matches a topic
 * starting with '$' [MQTT-4.7.2-1]; "a/#" also matches "a" [MQTT-4.7.1-2].
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = levels(filter);
  const t = levels(topic);
  if (topic.startsWith('$') && isWildcard(f[0])) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * Is `inner` contained in `outer`, i.e. is every topic matched by `inner` also matched by `outer`?
 * "linli/v1/dev/+/state" is contained in itself and in "linli/v1/#"; "linli/#" is not contained in
 * "linli/v1/dev/+/state". Both must be valid filters (see isValidFilter); invalid ones are never contained.
 */
export function filterContains(outer: string, inner: string): boolean {
  if (!isValidFilter(outer) || !isValidFilter(inner)) return false;
  const o = levels(outer);
  const n = levels(inner);
  // [MQTT-4.7.2-1] "$SYS/x" is not matched by "#" or "+/x", so it is not contained in them either.
  if ((n[0] ?? '').startsWith('$') && isWildcard(o[0])) return false;
  for (let i = 0; ; i++) {
    const ol = o[i];
    const nl = n[i];
    if (ol === '#') return true; // matches whatever is left of inner, including nothing ("a/#" matches "a")
    if (ol === undefined || nl === undefined) return ol === nl; // both ended together, or one is longer
    if (nl === '#') return false; // inner matches any depth here, outer only one level or a literal
    if (ol === '+') continue; // one level of anything, and inner's level is one level
    if (nl === '+' || ol !== nl) return false; // a literal never contains '+'; literals must be equal
  }
}
