import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../gateway/cli/main.ts';
import { ConfigSchema } from '../../gateway/config/schema.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = (title: string) =>
  readme.slice(readme.indexOf(`## ${title}`), readme.indexOf('\n## ', readme.indexOf(`## ${title}`) + 3));

type Def = {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
};

/** Whether `a.b.c` (or `a.b[]`) names an option of the config schema, optional ones included. */
function isOption(path: string): boolean {
  let def: Def | undefined = (ConfigSchema as unknown as { _zod: { def: Def } })._zod.def;
  const unwrap = () => {
    while (def && ['optional', 'default', 'prefault', 'nullable', 'pipe', 'array'].includes(def.type))
      def = (def.innerType ?? def.in ?? def.element)?._zod.def;
  };
  for (const key of path.split('.')) {
    unwrap();
    def = def?.shape?.[key.replace('[]', '')]?._zod.def;
    if (!def) return false;
  }
  return true;
}

/** The README tells a newcomer what to run and what to set: it must name only what exists. */
describe('README.md stays in step with the code', () => {
  it('opens with the two commands, and points nowhere outside the repository', () => {
    expect(readme.split('\n').slice(2, 6).join('\n')).toMatch(/npm ci && npm start[\s\S]*npm test/);
    expect(readme).not.toMatch(/\.\.\/shared|<this repo>|comes next/);
    for (const m of readme.matchAll(/\]\(((?!https?:|#)[^)]+)\)/g)) {
      const target = m[1] ?? '';
      expect(() => readFileSync(new URL(`../../${target}`, import.meta.url)), `link ${target}`).not.toThrow();
    }
  });

  it('every command of the commands table is a command of linli, and every command of linli is in the table', () => {
    const table = section('Commands');
    const named = new Set([...table.matchAll(/^\| `linli ([a-z-]+)/gm)].map((m) => m[1]));
    const commands = buildCli().commands.map((c) => c.name());
    expect([...named].sort()).toEqual([...commands].sort());
  });

  it('every option of the configuration table exists, with the default it states where it states one', () => {
    const table = section('Configuration');
    const defaults = ConfigSchema.parse({});
    const get = (path: string): unknown =>
      path
        .split('.')
        .reduce<unknown>(
          (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k.replace('[]', '')] : undefined),
          defaults,
        );
    const rows = [...table.matchAll(/^\| (`[^|]+`) \| ([^|]+) \|/gm)];
    expect(rows.length).toBeGreaterThan(30);
    for (const [, keys, value] of rows) {
      const paths = [...(keys ?? '').matchAll(/`([a-zA-Z.[\]*]+)`/g)]
        .map((m) => m[1] ?? '')
        .filter((p) => !p.endsWith('.*'));
      for (const p of paths) expect(isOption(p), `${p} is an option`).toBe(true);
      // "a, b" rows of plain numbers: each is its option's default
      const numbers =
        (value ?? '')
          .split(/ — |;/)[0]
          ?.split(',')
          .map((x) => x.trim()) ?? [];
      if (paths.length > 0 && numbers.length === paths.length && numbers.every((n) => /^\d+$/.test(n))) {
        paths.forEach((p, i) => expect(String(get(p)), `${p} default`).toBe(numbers[i]));
      }
    }
  });

  it('names the device protocol version the gateway speaks', async () => {
    const { PROTOCOL_VERSION } = await import('../../firmware-protocol/src/version.ts');
    const versions = [...readme.matchAll(/PROTOCOL\.md`?\]\(firmware-protocol\/PROTOCOL\.md\) \(version (\d+\.\d+)/g)];
    expect(versions.map((m) => m[1])).toEqual([PROTOCOL_VERSION]);
  });
});
