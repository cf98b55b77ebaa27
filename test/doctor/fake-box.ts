import { ConfigSchema, type ConfigInput } from '../../gateway/config/schema.ts';
import type { ConnectResult, DoctorContext, DoctorIo, FileInfo } from '../../gateway/doctor/context.ts';

interface FakeFile extends Partial<FileInfo> {
  text?: string;
}

/** A box for doctor's checks, described as data: files, programs' answers, ports, the network. */
export interface FakeBox {
  files?: Record<string, FakeFile>;
  /** `cmd arg arg` → its exit code and output; a missing entry is a program that is not installed. */
  programs?: Record<string, { code: number; stdout: string }>;
  /** `host:port` → the listen error code; missing = free. */
  busyPorts?: Record<string, string>;
  connect?: (host: string, port: number, tls: boolean) => ConnectResult;
  statfs?: { freeBytes: number; totalBytes: number };
}

const UID = 1001;

export function fakeIo(box: FakeBox): DoctorIo & { probed: string[]; connected: string[] } {
  const files = box.files ?? {};
  const probed: string[] = [];
  const connected: string[] = [];
  return {
    probed,
    connected,
    async stat(path) {
      const f = files[path];
      if (!f) return undefined;
      return {
        mode: f.mode ?? (f.isDirectory ? 0o40700 : 0o100600),
        uid: f.uid ?? UID,
        gid: f.gid ?? UID,
        dev: f.dev ?? { major: 179, minor: 2 },
        isDirectory: f.isDirectory ?? false,
        isSocket: f.isSocket ?? false,
      };
    },
    async readText(path) {
      return files[path]?.text;
    },
    async list(dir) {
      if (!files[dir]?.isDirectory) return undefined;
      const prefix = `${dir}/`;
      return Object.keys(files)
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .map((p) => p.slice(prefix.length));
    },
    async statfs() {
      return box.statfs;
    },
    async run(cmd, args) {
      return box.programs?.[[cmd, ...args].join(' ')];
    },
    async probePort(host, port) {
      probed.push(`${host}:${port}`);
      return box.busyPorts?.[`${host}:${port}`];
    },
    async connect(t) {
      connected.push(`${t.tls ? 'tls' : 'tcp'}://${t.host}:${t.port}`);
      return box.connect?.(t.host, t.port, t.tls) ?? { ok: false, error: 'ECONNREFUSED' };
    },
  };
}

export const NOW = Date.parse('2026-12-01T12:00:00Z');

/** A doctor context on a fake box, the gateway's user `linli` (uid 1001), the clock at NOW. */
export function fakeContext(
  box: FakeBox,
  config: Partial<ConfigInput> = {},
  extra: Partial<DoctorContext> = {},
): DoctorContext {
  return {
    config: ConfigSchema.parse({ dataDir: '/var/lib/linli', ...config }),
    now: () => NOW,
    io: fakeIo(box),
    owner: { uid: UID, name: 'linli' },
    user: { uid: UID, gids: [UID], name: 'linli' },
    gateway: 'none',
    runtime: undefined,
    ...extra,
  };
}
