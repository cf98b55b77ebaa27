import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shopScanner } from '../../devices/shop-scanner/index.ts';
import { systemClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { demoFixture } from '../../gateway/redemption/demo-fixture.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { DeviceService } from '../../gateway/registry/device-service.ts';
import { ImmediateWriter } from '../../gateway/store/immediate-writer.ts';
import { Store } from '../../gateway/store/store.ts';

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
}

/**
 * Writes the demo community (`members` members) and `devices` provisioned shop scanners into `dir`, and
 * a config for `linli start`: loopback only, logs at warn, and the limits a real deployment spreads over
 * many addresses (connections per address, per-device request budget) raised, since every simulated
 * device of the benchmark shares 127.0.0.1 and each sends more than a till would.
 */
export async function prepareCommunity(dir: string, o: { members: number; devices: number }): Promise<BenchCommunity> {
  const dataDir = join(dir, 'data');
  const store = new Store(dataDir);
  const fixture = FixtureSchema.parse(demoFixture({ members: o.members, now: systemClock.now() }));
  loadInto(store, dataDir, fixture);
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
  const blocked = new Set(fixture.hotlist.map((c) => (c.type === 'qr' ? c.credentialId : c.uid)));
  const cards = fixture.members.flatMap((m) =>
    m.cards.flatMap((c) => (c.type === 'uid' && !blocked.has(c.uid) ? [c.uid] : [])),
  );
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `dataDir: ${dataDir}`,
      'gateway: { id: gw-bench-e2e }',
      `mqtt: { host: 127.0.0.1, maxConnections: ${o.devices + 100}, connectsPerMinutePerAddress: 100000, ` +
        'pendingPerAddress: 2000, pendingTotal: 4000 }',
      'http: { host: 127.0.0.1 }',
      'limits: { requestsPerSecond: 200, requestBurst: 400, messagesPerSecond: 400, messageBurst: 800 }',
      'redemption: { lowTrust: { perTxnFen: 1000000, perDayFen: 100000000 } }',
      'log: { level: warn }',
      '',
    ].join('\n'),
  );
  return { config, dataDir, devices, cards };
}
