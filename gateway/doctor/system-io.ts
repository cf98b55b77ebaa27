import { execFile } from 'node:child_process';
import { readdir, readFile, stat, statfs } from 'node:fs/promises';
import { createServer, isIP, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectResult, ConnectTarget, DoctorIo, FileInfo } from './context.ts';

/** A program doctor asks (timedatectl, chronyc, systemctl) answers in well under this, or not at all. */
const RUN_TIMEOUT_MS = 1500;

/** Linux's dev_t split into major and minor, as /proc/diskstats names devices. */
export function splitDev(dev: bigint): { major: number; minor: number } {
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

async function statPath(path: string): Promise<FileInfo | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return {
      mode: Number(s.mode),
      uid: Number(s.uid),
      gid: Number(s.gid),
      dev: splitDev(s.dev),
      isDirectory: s.isDirectory(),
      isSocket: s.isSocket(),
    };
  } catch {
    return undefined;
  }
}

function connectTo(t: ConnectTarget, timeoutMs: number): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const read = (f: string | undefined) => (f ? readFile(f) : Promise.resolve(undefined));
    void Promise.all([read(t.caFile), read(t.certFile), read(t.keyFile)])
      .then(([ca, cert, key]) => {
        const socket = t.tls
          ? tlsConnect({ host: t.host, port: t.port, ...(isIP(t.host) ? {} : { servername: t.host }), ca, cert, key })
          : tcpConnect({ host: t.host, port: t.port });
        const done = (r: ConnectResult) => {
          clearTimeout(timer);
          socket.destroy();
          resolve(r);
        };
        const timer = setTimeout(() => done({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
        socket.once(t.tls ? 'secureConnect' : 'connect', () =>
          done({ ok: true, ms: Math.round(performance.now() - started) }),
        );
        socket.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
      })
      .catch((err: NodeJS.ErrnoException) => resolve({ ok: false, error: `cannot read a TLS file: ${err.message}` }));
  });
}

/** The real box. */
export const systemIo: DoctorIo = {
  stat: statPath,
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  async list(dir) {
    try {
      return await readdir(dir);
    } catch {
      return undefined;
    }
  },
  async statfs(path) {
    try {
      const s = await statfs(path);
      return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch {
      return undefined;
    }
  },
  run(cmd, args) {
    return new Promise((resolve) => {
      execFile(cmd, args, { timeout: RUN_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout) => {
        const e = err as { code?: unknown; killed?: boolean } | null;
        // not installed, or killed at the time limit: no answer
        if (e && (typeof e.code !== 'number' || e.killed)) resolve(undefined);
        else resolve({ code: typeof e?.code === 'number' ? e.code : 0, stdout });
      });
    });
  },
  probePort(host, port) {
    return new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'EADDRINUSE'));
      probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
    });
  },
  connect: connectTo,
};
