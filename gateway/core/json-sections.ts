import { createReadStream } from 'node:fs';

/** One element of one of the top-level arrays, still as text: the caller parses and validates it. */
export interface SectionElement {
  section: string;
  index: number;
  text: string;
  /** Bytes of the file read so far, for a progress figure. */
  bytesRead: number;
}

/** Where a document is not the JSON this reader takes, with the byte offset to look at. */
export class JsonSectionsError extends Error {}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Reads a JSON document whose top level is an object of arrays (`{"members": [ {...}, ... ], ...}`) and
 * yields each array element's text in file order, holding one element at a time: a catalogue of a
 * hundred thousand members loads in constant memory. The glue between elements (braces, keys, commas)
 * is checked here; each element's own text is checked by the caller's JSON.parse.
 *
 * Hand-written rather than a streaming JSON library: stream-json tokenised an exported catalogue at
 * about 8 MB/s here, this splitter runs at the speed of a character loop and leaves the parsing of each
 * element to V8's JSON.parse.
 */
export async function* jsonSections(file: string, o: { chunkBytes?: number } = {}): AsyncGenerator<SectionElement> {
  // 'top': before '{'; 'key': expecting a key or '}'; 'colon'; 'array': expecting '['; 'elements': inside
  // an array between elements; 'element': inside one; 'afterSection': expecting ',' or '}'; 'end'
  let state = 'top' as 'top' | 'key' | 'colon' | 'array' | 'elements' | 'element' | 'afterSection' | 'end';
  let section = '';
  let index = 0;
  let needComma = false;
  let keyText = '';
  let inKey = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let bytesRead = 0;
  let offset = 0;
  const seen = new Set<string>();
  const fail = (at: number, what: string): never => {
    throw new JsonSectionsError(`invalid JSON at character ${at}: ${what}`);
  };
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: o.chunkBytes ?? 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    bytesRead += Buffer.byteLength(chunk);
    const out: SectionElement[] = [];
    let start = state === 'element' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk.charCodeAt(i);
      const at = offset + i;
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === BACKSLASH) escaped = true;
          else if (ch === QUOTE) inString = false;
          continue;
        }
        if (ch === QUOTE) inString = true;
        else if (ch === 0x7b || ch === 0x5b) depth += 1;
        else if (ch === 0x7d || ch === 0x5d) {
          if (depth === 0) {
            // the array's ']' ends a bare value (number, literal) that was the last element
            element += chunk.slice(start, i);
            out.push({ section, index: index++, text: element, bytesRead });
            element = '';
            if (ch !== 0x5d) fail(at, `'}' where the array "${section}" should close`);
            state = 'afterSection';
            continue;
          }
          depth -= 1;
          if (depth === 0) {
            element += chunk.slice(start, i + 1);
            out.push({ section, index: index++, text: element, bytesRead });
            element = '';
            state = 'elements';
            needComma = true;
          }
        } else if (depth === 0 && (ch === 0x2c || WS.has(ch))) {
          element += chunk.slice(start, i);
          out.push({ section, index: index++, text: element, bytesRead });
          element = '';
          state = 'elements';
          needComma = ch !== 0x2c;
        }
        continue;
      }
      if (inKey) {
        if (escaped) escaped = false;
        else if (ch === BACKSLASH) escaped = true;
        else if (ch === QUOTE) {
          inKey = false;
          section = JSON.parse(`"${keyText}"`) as string;
          if (seen.has(section)) fail(at, `"${section}" appears twice`);
          seen.add(section);
          state = 'colon';
          continue;
        }
        keyText += chunk[i];
        continue;
      }
      if (WS.has(ch)) continue;
      switch (state) {
        case 'top':
          if (ch !== 0x7b) fail(at, 'expected an object {...}');
          state = 'key';
          needComma = false;
          break;
        case 'key':
          if (ch === 0x7d && !needComma) state = 'end';
          else if (ch === QUOTE && !needComma) {
            inKey = true;
            keyText = '';
          } else fail(at, needComma ? "expected ',' or '}'" : 'expected a key');
          break;
        case 'colon':
          if (ch !== 0x3a) fail(at, "expected ':'");
          state = 'array';
          break;
        case 'array':
          if (ch !== 0x5b) fail(at, `"${section}" must be an array`);
          state = 'elements';
          index = 0;
          needComma = false;
          break;
        case 'elements':
          if (ch === 0x5d) {
            if (index > 0 && !needComma) fail(at, "a ',' before ']'");
            state = 'afterSection';
          } else if (ch === 0x2c) {
            if (!needComma) fail(at, "a ',' where an element should be");
            needComma = false;
          } else {
            if (needComma) fail(at, "expected ',' or ']'");
            state = 'element';
            start = i;
            depth = 0;
            inString = false;
            escaped = false;
            // the element's first character is read again, in the 'element' state
            i -= 1;
          }
          break;
        case 'afterSection':
          if (ch === 0x2c) {
            state = 'key';
            needComma = false;
          } else if (ch === 0x7d) state = 'end';
          else fail(at, "expected ',' or '}'");
          break;
        case 'end':
          fail(at, 'text after the end of the document');
      }
    }
    if (state === 'element') element += chunk.slice(Math.max(start, 0));
    offset += chunk.length;
    yield* out;
  }
  if (state !== 'end') fail(offset, 'the document ends early');
}
