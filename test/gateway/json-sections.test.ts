import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonSections } from '../../gateway/core/json-sections.ts';
import { tempDir } from '../support/tmp.ts';

describe('jsonSections: a top-level object of arrays, element by element', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  const read = async (text: string, chunkBytes?: number) => {
    const file = join(tmp.dir, 'doc.json');
    writeFileSync(file, text);
    const out: [string, number, unknown][] = [];
    for await (const e of jsonSections(file, chunkBytes ? { chunkBytes } : {}))
      out.push([e.section, e.index, JSON.parse(e.text)]);
    return out;
  };

  it('yields every element of every section in order, whatever the chunk size', async () => {
    const doc = {
      merchants: [{ id: 'a', name: 'x } ] { "y' }],
      'odd \\"key': [1, 'two', null, true, [3, [4]], { deep: { deeper: ['}'] } }],
      members: [],
      more: [{ s: '\\\\' }, { s: '邻里 \u0001 \\"' }],
    };
    const want = Object.entries(doc).flatMap(([k, v]) => v.map((e, i) => [k, i, e]));
    const text = JSON.stringify(doc, null, 2);
    for (const chunk of [1, 2, 3, 7, 64, 1 << 20]) expect(await read(text, chunk), `chunk ${chunk}`).toEqual(want);
    expect(await read(JSON.stringify(doc), 5)).toEqual(want);
  });

  it('agrees with JSON.parse on any object of arrays (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 6 }), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 })),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        async (doc, chunk, pretty) => {
          const text = pretty ? JSON.stringify(doc, null, 1) : JSON.stringify(doc);
          const parsed = JSON.parse(text) as Record<string, unknown[]>;
          const want = Object.entries(parsed).flatMap(([k, v]) => v.map((e, i) => [k, i, e]));
          expect(await read(text, chunk)).toEqual(want);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('names the place of a broken document instead of yielding part of it silently', async () => {
    await expect(read('[1, 2]')).rejects.toThrow(/character 0: expected an object/);
    await expect(read('{"members": {"a": 1}}')).rejects.toThrow(/"members" must be an array/);
    await expect(read('{"members": [{"a": 1} {"b": 2}]}')).rejects.toThrow(/expected ',' or '\]'/);
    await expect(read('{"members": [1,, 2]}')).rejects.toThrow(/a ',' where an element should be/);
    await expect(read('{"members": [1, 2,]}')).rejects.toThrow(/a ',' before '\]'/);
    await expect(read('{"members": [{"a": 1}]')).rejects.toThrow(/ends early/);
    await expect(read('{"members": [], "members": []}')).rejects.toThrow(/"members" appears twice/);
    await expect(read('{"members": []} x')).rejects.toThrow(/text after the end/);
    await expect(read('{"members": [] "x": []}')).rejects.toThrow(/expected ',' or '}'/);
  });
});
