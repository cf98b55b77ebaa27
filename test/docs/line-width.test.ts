import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const MAX = 120;
const root = new URL('../../', import.meta.url).pathname;

/** Every tracked TypeScript and .mjs file (a file deleted but not yet committed is skipped). */
function sourceFiles(): string[] {
  return execFileSync('git', ['ls-files', '*.ts', '*.mjs'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && existsSync(root + f));
}

/** `file:line (n characters)` for each line longer than MAX characters (code points, not bytes). */
function longLines(file: string): string[] {
  return readFileSync(root + file, 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      const n = [...line.replace(/\r$/, '')].length;
      return n > MAX ? [`${file}:${i + 1} (${n} characters)`] : [];
    });
}

describe('source lines are at most 120 characters', () => {
  // biome checks the formatting, but cannot break a string, a template or a comment: this checks what is left
  it('no tracked .ts or .mjs file has a line longer than 120 characters', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const offending = files.flatMap(longLines);
    expect(offending, `lines longer than ${MAX} characters: wrap them`).toEqual([]);
  });
});
