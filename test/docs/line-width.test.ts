import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const MAX = 120;
const root = new URL('../../', import.meta.url).pathname;

/**
 * Files still being wrapped by whoever is changing them, with how many long lines each may keep meanwhile. A file
 * may not gain long lines; an entry whose file has none left must be removed. When the list is empty, delete it.
 */
const PENDING: Record<string, number> = {
  'gateway/cli/conformance-command.ts': 1,
  'gateway/cli/demo-run.ts': 2,
  'gateway/conformance/checks-session.ts': 1,
  'gateway/conformance/checks-traffic.ts': 1,
  'gateway/conformance/clauses.ts': 1,
  'gateway/conformance/report.ts': 2,
  'gateway/conformance/run-context.ts': 1,
  'gateway/conformance/steps-request.ts': 1,
  'gateway/http/activity.ts': 9,
  'sim/src/purchases.ts': 1,
  'sim/src/scenarios.ts': 1,
};

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
    const offending = files.filter((f) => !(f in PENDING)).flatMap(longLines);
    expect(offending, `lines longer than ${MAX} characters: wrap them`).toEqual([]);
  });

  it('the files still being wrapped gain no long lines, and leave the list when they have none', () => {
    for (const [file, allowed] of Object.entries(PENDING)) {
      if (!existsSync(root + file)) continue;
      const long = longLines(file);
      expect(
        long.length,
        `${file} has ${long.length} lines over ${MAX} (at most ${allowed}):\n${long.join('\n')}`,
      ).toBeLessThanOrEqual(allowed);
      expect(long.length, `${file} has no long lines left: remove it from PENDING`).toBeGreaterThan(0);
    }
  });
});
