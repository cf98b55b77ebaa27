import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../gateway/config/load.ts';
import { tempDir } from '../support/tmp.ts';

describe('loadConfig', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  const write = (name: string, text: string) => {
    const f = join(tmp.dir, name);
    writeFileSync(f, text);
    return f;
  };
  const problems = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    throw new Error('expected a ConfigError');
  };

  it('has sane defaults for everything', () => {
    const c = loadConfig({ env: {} });
    expect(c.mqtt.port).toBe(1883);
    expect(c.http.port).toBe(8080);
    expect(c.http.host).toBe('127.0.0.1');
    expect(c.dataDir).toBe('./data');
    // secure by default: TLS with the gateway's own CA, plain MQTT off
    expect(c.mqtt.tls.enabled).toBe(true);
    expect(c.mqtt.plaintext).toBe(false);
    expect(c.gateway.timezone).toBe('Asia/Shanghai');
    expect(Object.isFrozen(c.mqtt)).toBe(true);
  });

  it('reads YAML and JSON, resolving a relative data folder against the file', () => {
    const y = loadConfig({ file: write('c.yaml', 'dataDir: state\nmqtt:\n  port: 1884\n'), env: {} });
    expect(y.mqtt.port).toBe(1884);
    expect(y.dataDir).toBe(join(tmp.dir, 'state'));
    const j = loadConfig({ file: write('c.json', JSON.stringify({ http: { port: 9090 } })), env: {} });
    expect(j.http.port).toBe(9090);
  });

  it('keeps the default data folder relative to the working directory when the file does not set it', () => {
    expect(loadConfig({ file: write('n.yaml', 'http:\n  port: 1\n'), env: {} }).dataDir).toBe('./data');
    const t = loadConfig({
      file: write('t.yaml', 'mqtt:\n  tls:\n    enabled: true\n    certFile: tls/s.crt\n    keyFile: tls/s.key\n'),
      env: {},
    });
    expect(t.mqtt.tls.certFile).toBe(join(tmp.dir, 'tls/s.crt'));
  });

  it('precedence: file < environment < command line', () => {
    const file = write('c.yaml', 'mqtt:\n  port: 1001\nhttp:\n  port: 2001\n');
    const c = loadConfig({
      file,
      env: { LINLI_MQTT_PORT: '1002', LINLI_HTTP_PORT: '2002', LINLI_DATA_DIR: '/var/lib/x' },
      overrides: { httpPort: 0 },
    });
    expect(c.mqtt.port).toBe(1002);
    expect(c.http.port).toBe(0);
    expect(c.dataDir).toBe('/var/lib/x');
  });

  it('names the exact path and reason of each problem', () => {
    const file = write(
      'bad.yaml',
      'mqtt:\n  port: "x"\n  lockout:\n    maxFailures: -1\n  integrations:\n' +
        '    - username: ha\n      passwordHash: nope\n      subscribe: []\nhttp:\n  prot: 1\n',
    );
    const p = problems(() => loadConfig({ file, env: {} }));
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mqtt\.port: .*number/),
        expect.stringMatching(/^mqtt\.lockout\.maxFailures: /),
        expect.stringMatching(/^mqtt\.integrations\[0\]\.username: /),
        expect.stringMatching(/^mqtt\.integrations\[0\]\.passwordHash: /),
        expect.stringMatching(/^mqtt\.integrations\[0\]\.subscribe: /),
        expect.stringMatching(/^http: .*prot/),
      ]),
    );
  });

  it('refuses a TLS certificate without its key', () => {
    const file = write('tls.yaml', 'mqtt:\n  tls:\n    certFile: /etc/linli/server.crt\n');
    expect(problems(() => loadConfig({ file, env: {} }))).toEqual([
      expect.stringMatching(/^mqtt\.tls\.certFile: certFile and keyFile go together/),
    ]);
  });

  it('refuses a bad port in the environment', () => {
    expect(problems(() => loadConfig({ env: { LINLI_HTTP_PORT: '80a' } }))).toEqual([
      expect.stringMatching(/^LINLI_HTTP_PORT: expected a port/),
    ]);
    expect(problems(() => loadConfig({ env: { LINLI_MQTT_PORT: '70000' } }))).toHaveLength(1);
  });

  it('reports an unreadable or unparsable file clearly', () => {
    expect(problems(() => loadConfig({ file: join(tmp.dir, 'missing.yaml'), env: {} }))).toEqual([
      'cannot read the file: ENOENT',
    ]);
    expect(problems(() => loadConfig({ file: write('x.json', '{'), env: {} }))[0]).toMatch(/^not valid JSON/);
    expect(problems(() => loadConfig({ file: write('l.yaml', '- 1\n- 2\n'), env: {} }))).toEqual([
      '(root): expected a mapping of options',
    ]);
  });
});

describe('shipped example config', () => {
  const file = new URL('../../config/example.yaml', import.meta.url).pathname;

  it('config/example.yaml is valid', () => {
    const c = loadConfig({ file, env: {} });
    expect(c.dataDir).toBe('/var/lib/linli');
  });

  it('shows every option of every section, each at its default unless it says why', async () => {
    const { parse } = await import('yaml');
    const { ConfigSchema } = await import('../../gateway/config/schema.ts');
    const leaves = (o: unknown, path: string[] = []): string[] =>
      o !== null && typeof o === 'object' && !Array.isArray(o)
        ? Object.entries(o).flatMap(([k, v]) => leaves(v, [...path, k]))
        : [path.join('.')];
    const example = parse(readFileSync(file, 'utf8')) as unknown;
    const defaults = ConfigSchema.parse({});
    const shown = new Set(leaves(example));
    const missing = leaves(defaults).filter((p) => !shown.has(p));
    expect(missing).toEqual([]);
    // the values that differ from the defaults are the ones an operator sets for a real box
    const get = (o: unknown, p: string) => p.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown>)[k], o);
    const differ = leaves(defaults).filter((p) => JSON.stringify(get(defaults, p)) !== JSON.stringify(get(example, p)));
    expect(differ.sort()).toEqual(['cloud.url', 'dataDir', 'gateway.id', 'gateway.name'].sort());
  });
});
