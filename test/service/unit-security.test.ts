import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderUnit, SHIPPED_UNIT, type UnitOptions } from '../../gateway/service/unit.ts';
import { tempDir } from '../support/tmp.ts';
import { exposure, verify, verifyRoot } from './systemd-analyze.ts';

const SHIPPED = new URL('../../systemd/linli.service', import.meta.url).pathname;
const tmp = tempDir('linli-unit-');
afterAll(() => tmp.cleanup());

/** Every unit install can write: the plain one, each variant, and the options that change the file. */
const VARIANTS: Record<string, UnitOptions> = {
  plain: SHIPPED_UNIT,
  gpio: { ...SHIPPED_UNIT, gpio: true },
  pcsc: { ...SHIPPED_UNIT, pcsc: true },
  'gpio+pcsc': { ...SHIPPED_UNIT, gpio: true, pcsc: true },
  'lan-only': { ...SHIPPED_UNIT, lanOnly: true },
  'own data folder and backup target': {
    ...SHIPPED_UNIT,
    nodePath: '/usr/local/bin/node',
    binPath: '/usr/local/lib/node_modules/linli-gateway/bin/linli.mjs',
    dataDir: '/srv/linli',
    configPath: '/srv/linli-etc/config.yaml',
    writablePaths: ['/media/usb/linli-backups'],
  },
};

describe('the systemd unit: systemd-analyze security', () => {
  it('the shipped systemd/linli.service is the unit install writes for NodeSource node and npm install -g', () => {
    expect(readFileSync(SHIPPED, 'utf8')).toBe(renderUnit(SHIPPED_UNIT));
  });

  it('scores the shipped unit at most 2.0 ("OK")', () => {
    const { score, table } = exposure(SHIPPED);
    expect(score, table).toBeLessThanOrEqual(2.0);
  });

  it.each(Object.entries(VARIANTS))('scores the %s variant at most 2.0', (name, options) => {
    const file = join(tmp.dir, `${name.replace(/\W+/g, '-')}.service`);
    writeFileSync(file, renderUnit(options));
    const { score, table } = exposure(file);
    expect(score, table).toBeLessThanOrEqual(2.0);
  });

  it("README's table of variants states each one's score as systemd-analyze gives it", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| (\(plain\)|`--[a-z-]+`) \|.*\| (\d\.\d) OK\b.*\|$/gm)];
    const flags: Record<string, Partial<UnitOptions>> = {
      '(plain)': {},
      '`--gpio`': { gpio: true },
      '`--pcsc`': { pcsc: true },
      '`--lan-only`': { lanOnly: true },
    };
    expect(rows.map((r) => r[1])).toEqual(Object.keys(flags));
    for (const [, flag, stated] of rows) {
      const file = join(tmp.dir, 'readme.service');
      writeFileSync(file, renderUnit({ ...SHIPPED_UNIT, ...flags[flag as string] }));
      expect(exposure(file).score, `README's score for ${flag}`).toBe(Number(stated));
    }
  });

  it('scores an unhardened unit above 2.0: the bound can fail', () => {
    const file = join(tmp.dir, 'bare.service');
    writeFileSync(file, '[Service]\nExecStart=/usr/bin/node /opt/linli/bin/linli.mjs start\nUser=linli\n');
    expect(exposure(file).score).toBeGreaterThan(2.0);
  });

  it('keeps no capability, no port below 1024 and no JIT-breaking MemoryDenyWriteExecute', () => {
    const unit = renderUnit(SHIPPED_UNIT);
    expect(unit).toMatch(/^CapabilityBoundingSet=$/m);
    expect(unit).toMatch(/^AmbientCapabilities=$/m);
    expect(unit).not.toMatch(/CAP_NET_BIND_SERVICE/);
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=/m);
    expect(unit).toMatch(/^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK$/m);
    expect(unit).toMatch(
      /^ExecStart=\/usr\/bin\/node \/usr\/lib\/node_modules\/linli-gateway\/bin\/linli\.mjs start$/m,
    );
    expect(unit).not.toMatch(/\/usr\/bin\/env/);
  });

  it('turns PrivateDevices off only for GPIO, which gets its group, sysfs and gpiochip devices', () => {
    expect(renderUnit(VARIANTS.pcsc as UnitOptions)).not.toMatch(/^PrivateDevices=false/m);
    const gpio = renderUnit(VARIANTS.gpio as UnitOptions);
    expect(gpio).toMatch(/^PrivateDevices=false$/m);
    expect(gpio).toMatch(/^SupplementaryGroups=gpio$/m);
    expect(gpio).toMatch(/^DeviceAllow=char-gpiochip rw$/m);
    expect(gpio).toMatch(/^ReadWritePaths=-\/sys\/class\/gpio -\/sys\/devices\/platform$/m);
  });
});

describe('the systemd unit: systemd-analyze verify', () => {
  it.each(Object.entries(VARIANTS))('the %s variant loads cleanly in an image root', (name, options) => {
    const root = join(tmp.dir, `root-${name.replace(/\W+/g, '-')}`);
    verifyRoot(root, renderUnit(options), [options.nodePath, options.binPath]);
    const { code, said } = verify(root);
    expect(said).toBe('');
    expect(code).toBe(0);
  });

  it('a unit whose node is missing in the root, or with a misspelt setting, is reported', () => {
    const root = join(tmp.dir, 'root-broken');
    verifyRoot(root, renderUnit(SHIPPED_UNIT).replace('ProtectClock=', 'ProtectClok='), [SHIPPED_UNIT.binPath]);
    const { said } = verify(root);
    expect(said).toMatch(/ProtectClok/);
    expect(said).toMatch(/\/usr\/bin\/node is not executable/);
  });

  it('refuses paths systemd would split or expand, and a relative path', () => {
    expect(() => renderUnit({ ...SHIPPED_UNIT, dataDir: '/var/lib/my linli' })).toThrow(/spaces/);
    expect(() => renderUnit({ ...SHIPPED_UNIT, configPath: '/etc/linli/%i.yaml' })).toThrow(/%/);
    expect(() => renderUnit({ ...SHIPPED_UNIT, nodePath: 'node' })).toThrow(/absolute/);
    expect(() => renderUnit({ ...SHIPPED_UNIT, user: 'Linli Admin' })).toThrow(/user name/);
  });
});
