import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { shopScanner } from '../../devices/shop-scanner/index.ts';
import { systemClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { DeviceService } from '../../gateway/registry/device-service.ts';
import { ImmediateWriter } from '../../gateway/store/immediate-writer.ts';
import { Store } from '../../gateway/store/store.ts';
import { writeBigCatalogue } from '../big-catalogue.ts';

const root = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);

export interface BenchDevice {
  id: string;
  secret: string;
}

/** A community on disk for the gateway under test: members with plain cards, and scanners bound to shops. */
export interface BenchCommunity {
  config: string;
  dataDir: string;
  devices: BenchDevice[];
  /** Plain card UIDs of members who may pay (not hotlisted). */
  cards: string[];
  catalogue: CatalogueFigures;
}

/** The community's catalogue and what `linli load` took to load it (the real CLI, a process of its own). */
export interface CatalogueFigures {
  members: number;
  benefits: number;
  credentials: number;
  fileMb: number;
  loadS: number;
  loadPeakRssMb: number;
  databaseMb: number;
}

/**
 * Writes a community of `members` members (each with `benefitsPerMember` benefits, a plain card and a
 * phone QR: the big catalogue) into `dir` with `linli load` run as a box runs it, timed and its peak
 * memory read; then `devices` provisioned shop scanners, and a config for `linli start`: loopback only,
 * logs at warn, and the limits a real deployment spreads over many addresses (connections per address,
 * per-device request budget) raised, since every simulated device of the benchmark shares 127.0.0.1 and
 * each sends more than a till would.
 */
export async function prepareCommunity(
  dir: string,
  o: { members: number; benefitsPerMember: number; devices: number },
): Promise<BenchCommunity> {
  const dataDir = join(dir, 'data');
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `dataDir: ${dataDir}`,
      'gateway: { id: gw-bench-e2e }',
      // plain MQTT on loopback, opted into: the bench measures the gateway, not TLS handshakes
      `mqtt: { host: 127.0.0.1, plaintext: true, tls: { enabled: false }, maxConnections: ${o.devices + 100}, ` +
        'connectsPerMinutePerAddress: 100000, pendingPerAddress: 2000, pendingTotal: 4000 }',
      'http: { host: 127.0.0.1 }',
      'limits: { requestsPerSecond: 200, requestBurst: 400, messagesPerSecond: 400, messageBurst: 800 }',
      'redemption: { lowTrust: { perTxnFen: 1000000, perDayFen: 100000000 } }',
      'log: { level: warn }',
      '',
    ].join('\n'),
  );
  const file = join(dir, 'catalogue.json');
  const big = await writeBigCatalogue(file, {
    members: o.members,
    benefitsPerMember: o.benefitsPerMember,
    now: Date.now(),
  });
  const rssFile = join(dir, 'load-max-rss');
  const t0 = performance.now();
  await run(
    process.execPath,
    [
      '--import',
      join(root, 'bench', 'max-rss-hook.mjs'),
      join(root, 'bin', 'linli.mjs'),
      'load',
      file,
      '--config',
      config,
    ],
    { env: { ...process.env, LINLI_BENCH_MAX_RSS: rssFile }, timeout: 300_000, maxBuffer: 1 << 24 },
  );
  const catalogue: CatalogueFigures = {
    members: big.members,
    benefits: big.benefits,
    credentials: big.credentials,
    fileMb: statSync(file).size / 1048576,
    loadS: (performance.now() - t0) / 1000,
    loadPeakRssMb: Number(readFileSync(rssFile, 'utf8')) / 1024,
    databaseMb: statSync(join(dataDir, 'linli.db')).size / 1048576,
  };
  const store = new Store(dataDir);
  const service = new DeviceService(store.devices, new ImmediateWriter(store.db), systemClock, silentLogger());
  const devices: BenchDevice[] = [];
  for (let i = 0; i < o.devices; i++) {
    const id = `bench-scan-${String(i).padStart(4, '0')}`;
    // bound to the shop its twin says it sells for (the fleet gives the n-th scanner index n)
    const merchantId = shopScanner.sim.merchant?.(i) ?? 'cafe-01';
    const { secret } = await service.provision({ id, kind: shopScanner.wire.kind, merchantId });
    devices.push({ id, secret });
  }
  store.close();
  return { config, dataDir, devices, cards: big.cards, catalogue };
}
