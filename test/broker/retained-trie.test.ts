import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { RetainedTrie } from '../../broker/src/retained-store.ts';

// aedes' own matcher for retained messages (its in-memory persistence tests every topic with it)
const { QlobberTrue } = createRequire(import.meta.url)('qlobber') as {
  QlobberTrue: new (o: object) => { add(p: string): void; test(topic: string): boolean };
};
const aedesMatches = (filter: string, topics: readonly string[]) => {
  const q = new QlobberTrue({ wildcard_one: '+', wildcard_some: '#', separator: '/' });
  q.add(filter);
  return topics.filter((t) => q.test(t)).sort();
};

// no empty levels: qlobber and MQTT read them differently ('+' and ""), and no topic of ours has one
const level = fc.constantFrom('linli', 'v1', 'dev', 'a', 'b', 'state');
const topic = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));
const filter = fc
  .tuple(fc.array(fc.oneof(level, fc.constant('+')), { minLength: 0, maxLength: 5 }), fc.boolean())
  .filter(([l, hash]) => l.length > 0 || hash)
  .map(([l, hash]) => [...l, ...(hash ? ['#'] : [])].join('/'));
const packet = (t: string, payload = 'x') => ({ topic: t, payload: Buffer.from(payload) });

describe('RetainedTrie', () => {
  it('matches exactly what aedes matched, for any topics (some deleted again) and filters', () => {
    fc.assert(
      fc.property(
        fc.array(topic, { maxLength: 30 }),
        fc.array(topic, { maxLength: 10 }),
        fc.array(filter, { minLength: 1, maxLength: 4 }),
        (stored, deleted, filters) => {
          const trie = new RetainedTrie();
          for (const t of stored) trie.store(packet(t));
          for (const t of deleted) trie.store(packet(t, ''));
          const left = [...new Set(stored)].filter((t) => !deleted.includes(t));
          expect(trie.size).toBe(left.length);
          const expected = [...new Set(filters.flatMap((f) => aedesMatches(f, left)))].sort();
          const got = [...trie.match(filters)].map((p) => p.topic);
          // each retained message once, even when two filters match it
          expect(got.length).toBe(new Set(got).size);
          expect(got.sort()).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps the latest message of a topic, a copy of it, and forgets a topic an empty payload deletes', () => {
    const trie = new RetainedTrie();
    const first = packet('linli/v1/dev/d1/state', 'online');
    trie.store(first);
    trie.store(packet('linli/v1/dev/d1/state', 'offline'));
    const [kept] = [...trie.match(['linli/v1/dev/+/state'])];
    expect(kept?.payload.toString()).toBe('offline');
    expect(kept).not.toBe(first);
    trie.store(packet('linli/v1/dev/d1/state', ''));
    expect(trie.size).toBe(0);
    expect([...trie.match(['#'])]).toEqual([]);
  });
});
