import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimDevice } from '../../sim/src/sim-device.ts';
import { coldStartOn, type ColdStartResult } from '../cold-start.ts';
import { loadAverage, processFigures } from '../support.ts';
import { prepareCommunity, type BenchCommunity, type CatalogueFigures } from './community.ts';
import { allBorn, scanners, stopFleet, storm } from './fleet.ts';
import { fsyncFloor, type FsyncFloor } from './floors.ts';
import { openLoop, type LoadFigures } from './open-loop.ts';
import { startEcho, startLinli, type Target } from './targets.ts';

/** What one broker under test (the gateway, or the bare echo) did, measured from the devices' side. */
export interface TargetFigures {
  idleRssMb: number;
  stormMs: number;
  rssMb: number;
  /** Peak resident memory until the storm's devices were all online. */
  peakRssMb: number;
  /** Peak resident memory by the end of the load (round trips and ramp): what the box must have. */
  peakUnderLoadMb: number;
  rt200: LoadFigures;
  rt1000: LoadFigures;
  /** The highest offered rate answered in full with p99 ≤ 50 ms. */
  maxSustainedPerS: number;
  ramp: LoadFigures[];
  /** The event loop's longest block while the storm connected (since the target started serving). */
  stormLoopMaxMs: number;
  /** Gateway only: bytes the process made the disk write per redemption answered at 1,000/s. */
  bytesPerRedemption?: number;
  /** Gateway only: from the exec of a restarted gateway to every device born again. */
  restartMs?: number;
}

export interface EndToEndFigures {
  devices: number;
  loadDevices: number;
  members: number;
  catalogue: CatalogueFigures;
  /** Exec to first CONNACK on the big catalogue's database, against the bare floor on the same file. */
  coldStart: ColdStartResult;
  loadAverage: { start: number; end: number };
  fsync: FsyncFloor;
  echo: TargetFigures;
  linli: TargetFigures;
}

const RAMP = [500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7000];
const passes = (f: LoadFigures) => f.lost === 0 && f.p99Ms <= 50 && f.answered === f.sent;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(
  start: () => Promise<Target & { ports?: { mqtt: number; http: number } }>,
  community: BenchCommunity,
  o: { loadDevices: number; log: (line: string) => void },
): Promise<TargetFigures> {
  let target = await start();
  let fleet: SimDevice[] = [];
  try {
    await settle(500);
    const idleRssMb = processFigures(target.child.pid ?? 0).rssMb;
    fleet = scanners(target.url, community.devices);
    const stormMs = await storm(fleet);
    const stormLoopMaxMs = (await target.loopLag()).maxMs;
    o.log(`  ${target.name}: ${fleet.length} devices online in ${stormMs.toFixed(0)} ms`);
    await settle(2000);
    const { rssMb, peakRssMb } = processFigures(target.child.pid ?? 0);
    const load = fleet.slice(0, o.loadDevices);
    await openLoop(load, community.cards, { perSecond: 200, seconds: 2, seed: 0 });
    const rt200 = await openLoop(load, community.cards, { perSecond: 200, seconds: 6, seed: 1 });
    const before = processFigures(target.child.pid ?? 0).writeBytes;
    const rt1000 = await openLoop(load, community.cards, { perSecond: 1000, seconds: 6, seed: 2 });
    const written = processFigures(target.child.pid ?? 0).writeBytes - before;
    o.log(
      `  ${target.name}: 200/s p50 ${rt200.p50Ms.toFixed(1)} p99 ${rt200.p99Ms.toFixed(1)} ms; ` +
        `1,000/s p50 ${rt1000.p50Ms.toFixed(1)} p99 ${rt1000.p99Ms.toFixed(1)} ms`,
    );
    const ramp: LoadFigures[] = [];
    let maxSustainedPerS = 0;
    for (const [i, perSecond] of RAMP.entries()) {
      const f = await openLoop(load, community.cards, { perSecond, seconds: 3, seed: 10 + i });
      ramp.push(f);
      o.log(
        `  ${target.name}: ${perSecond}/s offered → ${f.achievedPerS.toFixed(0)}/s, p99 ${f.p99Ms.toFixed(1)} ms` +
          `${f.lost ? `, ${f.lost} lost` : ''}`,
      );
      if (!passes(f)) break;
      maxSustainedPerS = perSecond;
      await settle(300);
    }
    const peakUnderLoadMb = processFigures(target.child.pid ?? 0).peakRssMb;
    const figures: TargetFigures = {
      idleRssMb,
      peakUnderLoadMb,
      stormMs,
      stormLoopMaxMs,
      rssMb,
      peakRssMb,
      rt200,
      rt1000,
      maxSustainedPerS,
      ramp,
    };
    if (target.name === 'linli') {
      figures.bytesPerRedemption = written / Math.max(1, rt1000.answered);
      await target.stop();
      // the same ports: the devices reconnect where they were connected
      const again = await startLinli(community.config, target.ports);
      target = again;
      figures.restartMs = await allBorn(fleet, again.spawnedAt);
      o.log(`  ${target.name}: restarted, every device back in ${figures.restartMs.toFixed(0)} ms`);
    }
    return figures;
  } finally {
    await stopFleet(fleet);
    await target.stop();
  }
}

/**
 * The end-to-end suite: devices on loopback with the real protocol against the gateway and, in the same
 * run, against the floors (a bare aedes echo with the same client and QoS; one fsync'd commit).
 */
export async function benchEndToEnd(
  o: {
    devices?: number;
    loadDevices?: number;
    members?: number;
    benefitsPerMember?: number;
    log?: (line: string) => void;
  } = {},
): Promise<EndToEndFigures> {
  const devices = o.devices ?? 1000;
  const loadDevices = o.loadDevices ?? 500;
  // the big catalogue: 100,000 members, 1,000,000 benefits, 200,000 credentials
  const members = o.members ?? 100_000;
  const benefitsPerMember = o.benefitsPerMember ?? 10;
  const log = o.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'linli-bench-e2e-'));
  try {
    const start = loadAverage();
    const community = await prepareCommunity(dir, { members, benefitsPerMember, devices });
    const c = community.catalogue;
    log(
      `  linli load: ${c.members.toLocaleString('en')} members, ${c.benefits.toLocaleString('en')} benefits, ` +
        `${c.credentials.toLocaleString('en')} credentials (${c.fileMb.toFixed(0)} MB of JSON) ` +
        `in ${c.loadS.toFixed(1)} s, peak ${c.loadPeakRssMb.toFixed(0)} MB; database ${c.databaseMb.toFixed(0)} MB`,
    );
    const device = community.devices[0];
    if (!device) throw new Error('the community has no device');
    const coldStart = await coldStartOn({
      config: community.config,
      database: join(community.dataDir, 'linli.db'),
      auth: { username: device.id, password: device.secret },
    });
    log(
      `  cold start on it: linli ${coldStart.linliP50Ms.toFixed(0)} ms, bare ${coldStart.bareP50Ms.toFixed(0)} ms ` +
        `(${coldStart.ratio.toFixed(2)}×)`,
    );
    const fsync = fsyncFloor(dir);
    const echo = await measure(startEcho, community, { loadDevices, log });
    const linli = await measure(() => startLinli(community.config), community, { loadDevices, log });
    return {
      devices,
      loadDevices,
      members,
      catalogue: community.catalogue,
      coldStart,
      loadAverage: { start, end: loadAverage() },
      fsync,
      echo,
      linli,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
