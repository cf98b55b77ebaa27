import { describe, expect, it } from 'vitest';
import { FakeCardReader, normalizeUid, type CardEvent } from '../../../devices/box/card-reader.ts';

describe('card UIDs', () => {
  it('normalises 4-, 7- and 10-byte UIDs to upper-case hex without separators', () => {
    expect(normalizeUid('04a2b3c4d5e680')).toBe('04A2B3C4D5E680');
    expect(normalizeUid('de:ad:be:ef')).toBe('DEADBEEF');
    expect(normalizeUid('01 02 03 04 05 06 07 08 09 0a')).toBe('0102030405060708090A');
  });

  it('refuses what is not a UID', () => {
    for (const bad of ['', 'xyz', 'abc', '010203', '0102030405060708090A0B', 'zz112233'])
      expect(normalizeUid(bad)).toBeUndefined();
  });
});

describe('FakeCardReader', () => {
  it('taps cards while started, normalised, with the reader name and time; health can be faked', async () => {
    const r = new FakeCardReader('Door reader', () => 42);
    const seen: CardEvent[] = [];
    r.onCard((ev) => seen.push(ev));
    expect(r.tap('04aabbcc')).toBe(false);
    r.start();
    expect(r.health()).toEqual({ state: 'ok' });
    expect(r.tap('04aabbcc')).toBe(true);
    expect(r.tap('nope')).toBe(false);
    r.setHealth({ state: 'unavailable', warning: 'unplugged' });
    expect(r.health()).toEqual({ state: 'unavailable', warning: 'unplugged' });
    await r.stop();
    r.tap('04aabbcc');
    expect(seen).toEqual([{ uid: '04AABBCC', reader: 'Door reader', at: 42 }]);
  });
});
