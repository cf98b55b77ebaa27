import { vendingMachineWire } from '../devices/vending-machine/wire.ts';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { freePort, median, stopChild, unitNodeOptions } from './support.ts';

const root = new URL('..', import.meta.url).pathname;
const BIN = join(root, 'bin', 'linli.mjs');
const run = promisify(execFile);
const DEVICE = 'bench-cold-01';
/** One start that takes longer than this is a failure, not a figure. */
const START_DEADLINE_MS = 30_000;

/**
 * The floor: a bare Node process that opens the same SQLite database the gateway opens (WAL,
 * synchronous=FULL, one read) and starts a bare aedes listener, with nothing else.
 */
const BARE = `
import Database from 'better-sqlite3';
import { Aedes } from 'aedes';
import { createServer } from 'node:net';
const [dbPath, port] = process.argv.slice(1);
const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.prepare('select count(*) from sqlite_master').get();
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => broker.close(() => (db.close(), process.exit(0)))));
`;

/**
 * Milliseconds from the exec of `command` to the first CONNACK an mqtt.js client receives from it,
 * retrying the TCP connection every 5 ms until the listener is up. The process is stopped afterwards.
 */
async function execToConnack(
  command: string[],
  port: number,
  auth: { username: string; password: string },
  children: Set<ChildProcess>,
): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, command, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 4000) stderr += c.toString();
  });
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    clientId: auth.username,
    ...auth,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 5,
    connectTimeout: 5_000,
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`no CONNACK within ${START_DEADLINE_MS} ms`)),
        START_DEADLINE_MS,
      );
      const done = (f: () => void) => {
        clearTimeout(deadline);
        f();
      };
      client.once('connect', () => done(() => resolve(performance.now() - t0)));
      client.on('error', (err: Error & { code?: unknown }) => {
        // a CONNACK that refuses is a bench that is set up wrong; connection refused (not up yet) is retried
        if (typeof err.code === 'number') done(() => reject(new Error(`CONNACK refused (${err.code})`)));
      });
      child.once('exit', (code) =>
        done(() => reject(new Error(`${command.join(' ')} exited (${code}) before a CONNACK: ${stderr.trim()}`))),
      );
    });
  } finally {
    await client.endAsync(true).catch(() => undefined);
    await stopChild(child);
    children.delete(child);
  }
}

export interface ColdStartResult {
  runs: number;
  linliMs: number[];
  bareMs: number[];
  linliP50Ms: number;
  bareP50Ms: number;
  ratio: number;
  versionP50Ms: number;
}

/** A gateway's data folder ready to start (its config) and a device provisioned in it. */
export interface ColdStartSetup {
  config: string;
  database: string;
  auth: { username: string; password: string };
}

/**
 * `runs` starts of `linli start` on `setup` and of the bare floor on the same database, alternating, after
 * one warm-up of each (so both find the files in the page cache); also `linli --version`, exec to exit.
 */
export async function coldStartOn(setup: ColdStartSetup, runs = 5): Promise<ColdStartResult> {
  const children = new Set<ChildProcess>();
  const killAll = () => {
    for (const c of children) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  try {
    const linli = async () => {
      const [mqttPort, httpPort] = [await freePort(), await freePort()];
      const args = [
        'start',
        '--config',
        setup.config,
        '--mqtt-port',
        String(mqttPort),
        '--http-port',
        String(httpPort),
      ];
      // as the shipped unit runs it (its NODE_OPTIONS)
      return execToConnack([...unitNodeOptions(), BIN, ...args], mqttPort, setup.auth, children);
    };
    const bare = async () => {
      const port = await freePort();
      return execToConnack(
        ['--input-type=module', '-e', BARE, setup.database, String(port)],
        port,
        setup.auth,
        children,
      );
    };
    await linli();
    await bare();
    const linliMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      linliMs.push(await linli());
      bareMs.push(await bare());
    }
    const versionMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await run(process.execPath, [BIN, '--version'], { timeout: START_DEADLINE_MS });
      versionMs.push(performance.now() - t0);
    }
    const linliP50Ms = median(linliMs);
    const bareP50Ms = median(bareMs);
    return {
      runs,
      linliMs,
      bareMs,
      linliP50Ms,
      bareP50Ms,
      ratio: linliP50Ms / bareP50Ms,
      versionP50Ms: median(versionMs),
    };
  } finally {
    killAll();
    process.removeListener('exit', killAll);
  }
}

/**
 * Cold start of the real production start, `linli start` (compiled: npm run bench builds first), from
 * exec to the first CONNACK a provisioned device receives, against the bare floor (BARE), on loopback
 * ports with a temporary data folder holding one device. The big catalogue's cold start is measured by
 * the end-to-end suite on its community (coldStartOn).
 */
export async function benchColdStart(runs = 5): Promise<ColdStartResult> {
  const dir = mkdtempSync(join(tmpdir(), 'linli-bench-cold-'));
  try {
    const data = join(dir, 'data');
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        `dataDir: ${data}`,
        'gateway: { id: gw-bench-cold }',
        'mqtt: { host: 127.0.0.1, plaintext: true, tls: { enabled: false } }',
        'http: { host: 127.0.0.1 }',
        'log: { level: warn }',
        '',
      ].join('\n'),
    );
    // a box that restarts finds its database: create it (migrations) and the device that connects
    const { stdout } = await run(
      process.execPath,
      [BIN, 'provision', '--kind', vendingMachineWire.kind, '--id', DEVICE, '--config', config, '--json'],
      { timeout: START_DEADLINE_MS },
    );
    const auth = { username: DEVICE, password: (JSON.parse(stdout) as { secret: string }).secret };
    return await coldStartOn({ config, database: join(data, 'linli.db'), auth }, runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
