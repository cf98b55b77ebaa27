import { describe, expect, it } from 'vitest';
import { filterContains, isValidFilter, topicMatches } from '../../broker/src/topic-filter.ts';

describe('isValidFilter [MQTT-4.7.1]', () => {
  it.each([
    ['a/b/c', true],
    ['#', true],
    ['+', true],
    ['a/+/c', true],
    ['a/#', true],
    ['+/+/#', true],
    ['a//b', true],
    ['', false],
    ['a/#/c', false],
    ['a/b#', false],
    ['a+/b', false],
    ['a/+b', false],
  ])('%j → %s', (filter, valid) => {
    expect(isValidFilter(filter)).toBe(valid);
  });
});

describe('topicMatches [MQTT-4.7]', () => {
  it.each([
    ['linli/v1/dev/+/state', 'linli/v1/dev/door-01/state', true],
    ['linli/v1/dev/+/state', 'linli/v1/dev/door-01/up/birth', false],
    ['linli/#', 'linli/v1/gw/state', true],
    ['linli/#', 'linli', true], // "#" includes the parent level [MQTT-4.7.1-2]
    ['linli/+', 'linli', false],
    ['+/+', 'a/b', true],
    ['+/+', 'a/b/c', false],
    ['#', 'a/b', true],
    ['#', '$SYS/broker/load', false], // wildcards never match $ topics [MQTT-4.7.2-1]
    ['+/broker/load', '$SYS/broker/load', false],
    ['$SYS/#', '$SYS/broker/load', true],
    ['a/b', 'a/b', true],
    ['a/b', 'a/b/', false],
    ['a/+/', 'a/x/', true],
  ])('%j matches %j: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('filterContains(outer, inner)', () => {
  it.each([
    // [outer, inner, contained]
    ['linli/v1/dev/+/state', 'linli/v1/dev/+/state', true],
    ['linli/v1/#', 'linli/v1/dev/+/state', true],
    ['linli/#', 'linli/v1/dev/+/state', true],
    ['#', 'linli/v1/dev/+/state', true],
    ['linli/v1/dev/+/state', 'linli/#', false],
    ['linli/v1/dev/+/state', 'linli/v1/dev/door-01/state', true],
    ['linli/v1/dev/door-01/state', 'linli/v1/dev/+/state', false],
    ['linli/v1/dev/+/state', 'linli/v1/dev/+/+', false],
    ['linli/v1/dev/+/state', 'linli/v1/dev/#', false],
    ['linli/v1/dev/+/state', 'linli/v1/dev/door-01/state/x', false],
    ['linli/v1/dev/+/state', 'linli/v1/dev/door-01', false],
    ['linli/+/#', 'linli/v1/dev/+/state', true],
    ['a/#', 'a', true], // "a/#" matches "a"
    ['a/+/#', 'a/#', false], // "a/#" matches "a", "a/+/#" does not
    ['a/+', 'a/+', true],
    ['a/+', 'a/b', true],
    ['a/b', 'a/+', false],
    ['+/+', '+/+/+', false],
    ['#', '#', true],
    ['+', '#', false],
    ['#', '$SYS/#', false], // "$SYS/x" is never matched by "#"
    ['+/#', '$SYS/broker', false],
    ['$SYS/#', '$SYS/broker', true],
    ['a/#/b', 'a/x/b', false], // invalid outer
    ['a/b', 'a/b#', false], // invalid inner
  ])('%j contains %j: %s', (outer, inner, expected) => {
    expect(filterContains(outer, inner)).toBe(expected);
  });

  it('agrees with topicMatches on sample topics: containment implies every match', () => {
    const filters = ['#', 'a/#', 'a/+', 'a/b', '+/b', '+/+', 'a/+/c', 'a/b/#', '+/#', 'a'];
    const samples = ['a', 'b', 'a/b', 'a/c', 'b/b', 'a/b/c', 'a/x/c', 'a/b/c/d', 'x/y/z'];
    for (const outer of filters) {
      for (const inner of filters) {
        if (!filterContains(outer, inner)) continue;
        for (const t of samples)
          if (topicMatches(inner, t)) expect(topicMatches(outer, t), `${outer} ⊇ ${inner} on ${t}`).toBe(true);
      }
    }
  });
});
