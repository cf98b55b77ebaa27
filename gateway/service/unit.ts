/** What the unit file of `linli service install` depends on; every path absolute. */
export interface UnitOptions {
  /** The node binary that runs the gateway (the installing process's own: process.execPath). */
  nodePath: string;
  /** The installed package's bin/linli.mjs. */
  binPath: string;
  user: string;
  configPath: string;
  dataDir: string;
  /** The box's own GPIO (box.hardware.gpio.enabled): sysfs /sys/class/gpio or /dev/gpiochip*, group gpio. */
  gpio?: boolean;
  /** The box's own NFC reader through pcscd (box.hardware.nfc.enabled). */
  pcsc?: boolean;
  /** Only loopback and private LAN addresses reachable: for a gateway without cloud sync (or a LAN cloud). */
  lanOnly?: boolean;
  /** More folders the gateway writes to, e.g. the scheduled backups' target (backup.target). */
  writablePaths?: readonly string[];
}

/** Where NodeSource's node and `npm install -g` put them on Raspberry Pi OS: the shipped systemd/linli.service. */
export const SHIPPED_UNIT: UnitOptions = {
  nodePath: '/usr/bin/node',
  binPath: '/usr/lib/node_modules/linli-gateway/bin/linli.mjs',
  user: 'linli',
  configPath: '/etc/linli/config.yaml',
  dataDir: '/var/lib/linli',
};

/** Private (RFC 1918, CGNAT, unique-local) ranges: the community LAN, whatever its numbering. */
const LAN_RANGES = 'localhost link-local multicast 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10 fc00::/7';

/** A unit file value: systemd splits on spaces and expands % and $, so such paths are refused, not escaped. */
function checkedPath(what: string, path: string): string {
  if (!path.startsWith('/')) throw new Error(`${what} must be an absolute path (got "${path}")`);
  if (/[\s%$\\"']/.test(path)) throw new Error(`${what} must not contain spaces, quotes, %, $ or \\ (got "${path}")`);
  return path;
}

function dataDirLines(dataDir: string): string[] {
  // /var/lib/X is systemd's own: StateDirectory creates it, owned by User= and 0700, at every start
  const state = /^\/var\/lib\/([^/]+(?:\/[^/]+)*)$/.exec(dataDir);
  return state
    ? [`StateDirectory=${state[1]}`, 'StateDirectoryMode=0700']
    : [`ReadWritePaths=${dataDir}`, '# linli service install made it 0700, owned by the user'];
}

function gpioLines(): string[] {
  return [
    "# GPIO variant (box.hardware.gpio.enabled). sysfs GPIO: /sys/class/gpio/export and each line's files",
    "# are the gpio group's (Raspberry Pi OS' udev rules), and each gpioN there links into /sys/devices/platform,",
    '# which ProtectKernelTunables makes read-only like the rest of /sys: both writable again. The character',
    '# devices (/dev/gpiochip*, libgpiod) need the device nodes: PrivateDevices off, only those allowed.',
    '# A host without a gpio group refuses to start the unit: install it on the Pi.',
    'SupplementaryGroups=gpio',
    'ReadWritePaths=-/sys/class/gpio -/sys/devices/platform',
    'PrivateDevices=false',
    'DeviceAllow=char-gpiochip rw',
  ];
}

function pcscLines(): string[] {
  return [
    "# PC/SC variant (box.hardware.nfc.enabled): the reader is pcscd's (pcscd owns the USB device); the gateway",
    '# only talks to it over /run/pcscd/pcscd.comm (AF_UNIX; connecting to a socket needs no writable mount),',
    '# so PrivateDevices stays on. pcscd is started on demand by its socket.',
    'Wants=pcscd.socket',
    'After=pcscd.socket',
  ];
}

/**
 * The hardened systemd unit: `systemd-analyze security` exposure 1.3 for the plain unit (8.7 before),
 * each variant scored by test/service/unit-security.test.ts. Comments in the unit say why each setting
 * is there or absent, for the person who reads it on the box.
 */
export function renderUnit(o: UnitOptions): string {
  const node = checkedPath('the node path', o.nodePath);
  const bin = checkedPath('the linli path', o.binPath);
  const config = checkedPath('the config path', o.configPath);
  const data = checkedPath('the data folder', o.dataDir);
  if (!/^[a-z_][a-z0-9_-]*$/.test(o.user)) throw new Error(`"${o.user}" is not a valid user name`);
  const writable = (o.writablePaths ?? []).map((p) => checkedPath('a writable folder', p));
  return `${[
    '# Linli community gateway. `sudo linli service install` writes this unit with the node and the package',
    "# that ran it (systemd/linli.service in the package: NodeSource's node, `npm install -g`); run it again",
    '# with other options rather than editing here, or put local changes in a drop-in (systemctl edit linli).',
    '# Before changing a line, check the score: systemd-analyze security linli (1.3 "OK" as shipped, 2.0 at most).',
    '[Unit]',
    'Description=Linli community edge gateway (MQTT broker, device health, staff API)',
    'After=network-online.target',
    'Wants=network-online.target',
    ...(o.pcsc ? pcscLines() : []),
    '',
    '[Service]',
    'Type=notify',
    '# systemd-notify is run as a child process, so its messages must be accepted from any process of the unit.',
    'NotifyAccess=all',
    `User=${o.user}`,
    `Group=${o.user}`,
    `WorkingDirectory=${data}`,
    'Environment=NODE_ENV=production',
    `Environment=LINLI_CONFIG=${config}`,
    "# V8's young generation capped at 2 × 8 MB (16 by default): npm run bench (which runs the gateway with this",
    "# unit's NODE_OPTIONS), three runs each way: with 1,000 devices 130 MB instead of 151, round trips at 1,000/s",
    "# p99 15-27 ms instead of 24-230, the reconnect storm's longest loop block 40-45 ms instead of 39-50; the",
    '# price is ~30 ms more from exec to the first CONNACK (more scavenges while the code loads)',
    'Environment=NODE_OPTIONS=--max-semi-space-size=8',
    '# absolute paths (no PATH search): the node and the package that ran `linli service install`',
    `ExecStart=${node} ${bin} start`,
    '# A wedged event loop stops the watchdog pings and systemd restarts the gateway.',
    'WatchdogSec=30',
    'Restart=on-failure',
    'RestartSec=3',
    "# Start-up runs the database's migrations before READY: migration 24 re-hashes the ledger once (~26 s per",
    '# million entries measured), longer than the default 90 s on a large box; killed mid-way it would roll back',
    '# and start again forever. The watchdog only counts after READY.',
    'TimeoutStartSec=30min',
    'TimeoutStopSec=20',
    'KillSignal=SIGTERM',
    'LimitNOFILE=16384',
    ...dataDirLines(data),
    ...writable.map((p) => `ReadWritePaths=-${p}`),
    "# files the gateway creates (database, WAL, secrets, backups) are its user's only",
    'UMask=0077',
    '',
    '# Sandbox. Ports: MQTT 1883/8883 and HTTP 8080, none below 1024, so no capability at all.',
    'CapabilityBoundingSet=',
    'AmbientCapabilities=',
    'NoNewPrivileges=true',
    'PrivateUsers=true',
    'ProtectSystem=strict',
    'ProtectHome=true',
    'PrivateTmp=true',
    'PrivateDevices=true',
    'DevicePolicy=closed',
    'PrivateMounts=true',
    'ProtectKernelTunables=true',
    'ProtectKernelModules=true',
    'ProtectKernelLogs=true',
    'ProtectClock=true',
    'ProtectControlGroups=true',
    'ProtectHostname=true',
    'ProtectProc=invisible',
    "# No ProcSubset=pid: it hides /proc/diskstats and /proc/uptime, which the console's doctor (run in this",
    "# process) reads for the SD card's write rate. The gateway and the demo ran with it (os.cpus() is empty,",
    "# libuv falls back to sysinfo() for memory): add it in a drop-in if the console's doctor is not used.",
    'KeyringMode=private',
    'RemoveIPC=true',
    "# AF_UNIX: systemd-notify's datagrams, pcscd; AF_INET/AF_INET6: MQTT, HTTP, the cloud; AF_NETLINK:",
    "# os.networkInterfaces(), which names the server certificate's addresses.",
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    ...(o.lanOnly
      ? [
          '# --lan-only: loopback and private ranges only (no cloud on the internet, no public DNS server).',
          'IPAddressDeny=any',
          `IPAddressAllow=${LAN_RANGES}`,
        ]
      : [
          '# No IPAddressDeny: devices on the LAN (any numbering) and the cloud broker on the internet must be',
          '# reachable; `linli service install --lan-only` limits it to private ranges for a box without cloud sync.',
        ]),
    'RestrictNamespaces=true',
    'RestrictRealtime=true',
    'RestrictSUIDSGID=true',
    'LockPersonality=true',
    'SystemCallArchitectures=native',
    '# node, V8, libuv and SQLite need nothing beyond this (`linli demo` ran under the same filter and address',
    '# families, applied with libseccomp); a call outside it fails with EPERM instead of killing the gateway.',
    'SystemCallFilter=@system-service',
    'SystemCallFilter=~@privileged @resources',
    'SystemCallErrorNumber=EPERM',
    "# No MemoryDenyWriteExecute: it forbids making memory executable once written, which is how V8's JIT",
    '# installs the code it compiles: node aborts in its first second (V8 OS::SetPermissions check failed).',
    ...(o.gpio ? ['', ...gpioLines()] : []),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n')}\n`;
}
