import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { tempDir } from './tmp.ts';

const BINARY = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });

/**
 * A real Mosquitto (Debian package "mosquitto") as the cloud broker, on an ephemeral loopback port,
 * started and stopped by the test. `npm test` installs the package when it is missing.
 */
export class Mosquitto {
  private proc: ChildProcess | undefined;
  readonly dir = tempDir('linli-mosquitto-');
  port = 0;

  constructor(
    private readonly tls?: { caFile: string; certFile: string; keyFile: string },
    /** Accounts with passwords; anonymous clients are then refused. */
    private readonly users?: { name: string; password: string }[],
  ) {}

  get url(): string {
    return `${this.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    if (!BINARY)
      throw new Error('mosquitto is not installed: apt-get install -y mosquitto (npm test installs it when it can)');
    if (this.port === 0) this.port = await freePort();
    const conf = join(this.dir.dir, 'mosquitto.conf');
    // started as root, mosquitto drops to its own user: it reads copies in its (readable) folder
    const copy = (f: string, name: string) => {
      const to = join(this.dir.dir, name);
      copyFileSync(f, to);
      chmodSync(to, 0o644);
      return to;
    };
    chmodSync(this.dir.dir, 0o755);
    const tls = this.tls
      ? [
          `cafile ${copy(this.tls.caFile, 'ca.crt')}`,
          `certfile ${copy(this.tls.certFile, 'server.crt')}`,
          `keyfile ${copy(this.tls.keyFile, 'server.key')}`,
          'require_certificate true',
          'use_identity_as_username true',
        ]
      : [];
    const auth: string[] = [];
    if (this.users) {
      const file = join(this.dir.dir, 'passwords');
      writeFileSync(file, '');
      for (const u of this.users)
        execFileSync('mosquitto_passwd', ['-b', file, u.name, u.password], {
          env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/bin` },
        });
      chmodSync(file, 0o644);
      auth.push(`password_file ${file}`);
    }
    writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        ...tls,
        ...auth,
        `allow_anonymous ${this.users ? 'false' : 'true'}`,
        'persistence false',
        'max_queued_messages 100000',
        'log_dest none',
        '',
      ].join('\n'),
    );
    this.proc = spawn(BINARY, ['-c', conf], { stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    while (!(await accepting(this.port))) {
      if (Date.now() > deadline) throw new Error(`mosquitto did not start on port ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.dir.cleanup();
  }
}
