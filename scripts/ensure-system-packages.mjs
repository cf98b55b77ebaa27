#!/usr/bin/env node
// Makes sure the system programs the test suite drives are installed: installs what is missing with
// apt-get when it can (root, Debian), and otherwise fails naming the exact package. It never skips.
import { execFileSync, spawnSync } from 'node:child_process';

/** program on PATH → Debian package that provides it */
const REQUIRED = [
  { program: 'openssl', pkg: 'openssl', why: 'TLS listener tests generate a CA and certificates' },
  { program: 'mosquitto', pkg: 'mosquitto', why: 'cloud-sync tests run a real Mosquitto as the cloud broker' },
  { program: 'chromium', pkg: 'chromium', why: 'the staff console tests drive a real browser (playwright-core)' },
  {
    program: 'systemd-analyze',
    pkg: 'systemd',
    why: 'the service tests score and verify the systemd unit (systemd-analyze security, verify)',
  },
  {
    program: 'chinese-font',
    pkg: 'fonts-wqy-zenhei',
    why: "the staff console's screenshots show Chinese text",
  },
];

// mosquitto lives in /usr/sbin, which is not on every user's PATH
const onPath = (program) =>
  spawnSync('sh', ['-c', `PATH="$PATH:/usr/sbin:/sbin" command -v ${program}`], { stdio: 'ignore' }).status === 0;
/** A font with Chinese glyphs: without one the console's screenshots show boxes where the text should be. */
const hasChineseFont = () => (spawnSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).stdout ?? '').trim().length > 0;
const has = (program) => (program === 'chinese-font' ? hasChineseFont() : onPath(program));
const missing = REQUIRED.filter((r) => !has(r.program));
if (missing.length === 0) process.exit(0);

const pkgs = missing.map((m) => m.pkg);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !has('apt-get')) {
  for (const m of missing)
    console.error(
      `missing: ${m.program} (${m.why}). Install the Debian package "${m.pkg}": sudo apt-get install -y ${m.pkg}`,
    );
  process.exit(1);
}
console.error(`installing system packages the tests need: ${pkgs.join(' ')}`);
try {
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
} catch {
  console.error(
    `could not install ${pkgs.join(' ')} with apt-get; install them by hand: apt-get install -y ${pkgs.join(' ')}`,
  );
  process.exit(1);
}
const still = missing.filter((m) => !has(m.program));
if (still.length > 0) {
  console.error(`still missing after install: ${still.map((m) => `${m.program} (package ${m.pkg})`).join(', ')}`);
  process.exit(1);
}
