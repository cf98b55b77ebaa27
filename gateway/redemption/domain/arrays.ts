/**
 * Array helpers for the selection's inner loops. Arrays are built by pushing, never preallocated with
 * `new Array(n)` nor made by `map`: those are "holey" in some tiers and "packed" in others, and code
 * optimised for one kind is thrown away when the other comes by, which slowed the first thousand decisions.
 */

/** `n` copies of `value`, as a packed array. */
export function filled<T>(n: number, value: T): T[] {
  const out: T[] = [];
  for (let k = 0; k < n; k++) out.push(value);
  return out;
}

/** `f` of each item, as a packed array. */
export function mapped<T, U>(items: readonly T[], f: (item: T, index: number) => U): U[] {
  const out: U[] = [];
  for (let k = 0; k < items.length; k++) out.push(f(items[k] as T, k));
  return out;
}

/*
 * The selection sorts a member's benefits a few times per decision. Its orders must be those of
 * `Array.prototype.sort` with the same comparison: any stable sort by the same consistent comparison gives
 * the same order, so this one may sort differently, never to another order.
 */

/** Up to this length a binary insertion sort (what V8 itself uses for short arrays) runs in place here. */
const SHORT = 64;

/** Sorts `items` in place, stably, like `items.sort(compare)`; short arrays without the engine's callback cost. */
export function sortStable<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > SHORT) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T;
    let lo = 0;
    let hi = i;
    // after every element it does not sort before: equal ones keep their order
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(item, items[mid] as T) < 0) hi = mid;
      else lo = mid + 1;
    }
    for (let j = i; j > lo; j--) items[j] = items[j - 1] as T;
    items[lo] = item;
  }
  return items;
}

/** `sortStable(items, (a, b) => a.id.localeCompare(b.id))`, with the comparison written in (it runs often). */
export function sortById<T extends { id: string }>(items: T[]): T[] {
  if (items.length > SHORT) return items.sort((a, b) => a.id.localeCompare(b.id));
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T;
    let lo = 0;
    let hi = i;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (item.id.localeCompare((items[mid] as T).id) < 0) hi = mid;
      else lo = mid + 1;
    }
    for (let j = i; j > lo; j--) items[j] = items[j - 1] as T;
    items[lo] = item;
  }
  return items;
}
