import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTwin } from '../../sim/src/cloud-twin.ts';
import { waitFor } from '../support/gateway-harness.ts';
import { Mosquitto } from '../support/mosquitto.ts';
import { tempDir } from '../support/tmp.ts';
import { freePort } from '../support/free-port.ts';
import { expectCloudContractKept } from './contract-conformance.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/linli.mjs', import.meta.url).pathname;

/**
 * The gateway process is killed with SIGKILL in the middle of awarding points and syncing, then
 * started again: every award the API confirmed reaches the cloud exactly once, and nothing else does.
 */
describe('gateway killed with SIGKILL mid-sync', () => {
  let mosq: Mosquitto;
  let twin: CloudTwin;
  let tmp: ReturnType<typeof tempDir>;
  let child: ChildProcess | undefined;
  let api = '';
  let token = '';
  let config = '';

  const start = async () => {
    child = spawn(process.execPath, [BIN, 'start', '--config', config], { stdio: 'ignore' });
    await waitFor(
      async () =>
        await fetch(`${api}/healthz`)
          .then((r) => r.ok)
          .catch(() => false),
      'gateway up',
      20_000,
    );
  };

  beforeAll(async () => {
    mosq = await new Mosquitto().start();
    twin = new CloudTwin({ url: mosq.url, clientId: 'twin-sigkill' });
    await twin.start();
    tmp = tempDir('linli-kill-');
    const httpPort = await freePort();
    api = `http://127.0.0.1:${httpPort}`;
    config = join(tmp.dir, 'config.yaml');
    writeFileSync(
      config,
      [
        `dataDir: ${join(tmp.dir, 'data')}`,
        'gateway: { id: gw-kill }',
        'mqtt: { host: 127.0.0.1, port: 0, plaintext: true, tls: { enabled: false } }',
        `http: { host: 127.0.0.1, port: ${httpPort} }`,
        `cloud: { enabled: true, url: "${mosq.url}", signingKeys: [{ kid: k, publicKey: ${'A'.repeat(43)} }], ` +
          'batchesPerSecond: 50, batchMax: 5, ackTimeoutS: 2, reconnectMinMs: 200, reconnectMaxMs: 1000 }',
        'log: { level: warn }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(tmp.dir, 'community.json'),
      JSON.stringify({ members: [{ id: 'm-1', tier: 'regular', walletFen: 0 }] }),
    );
    await run(process.execPath, [BIN, 'load', join(tmp.dir, 'community.json'), '--config', config]);
    token = (
      JSON.parse(
        (await run(process.execPath, [BIN, 'token', 'create', '--role', 'operator', '--config', config, '--json']))
          .stdout,
      ) as { token: string }
    ).token;
  }, 60_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await twin?.stop();
    await mosq?.dispose();
    tmp?.cleanup();
  });

  it('confirmed awards reach the cloud exactly once across the kill; the sequence has no gap', async () => {
    await start();
    const confirmed: string[] = [];
    let killed = false;
    const award = async (txnId: string) => {
      const r = await fetch(`${api}/api/v1/members/m-1/points`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ points: 10, txnId, reason: 'activity' }),
      }).catch(() => undefined);
      if (r?.ok) confirmed.push(txnId);
      // the kill comes after ten confirmations, however fast this machine answers, with more in flight
      if (!killed && confirmed.length >= 10) {
        killed = true;
        child?.kill('SIGKILL');
      }
    };
    // awards in flight when the process dies: some committed, some not
    const inFlight: Promise<void>[] = [];
    for (let i = 0; !killed && i < 500; i++) {
      inFlight.push(award(`a-${i}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(killed).toBe(true);
    await Promise.all(inFlight);
    const dead = child;
    await new Promise<void>((r) =>
      !dead || dead.exitCode !== null || dead.signalCode !== null ? r() : dead.once('exit', () => r()),
    );
    await start();
    for (let i = 1000; i < 1010; i++) await award(`a-${i}`);
    const money = () => twin.stream('gw-kill', 'money');
    const body = async () => (await (await fetch(`${api}/healthz`)).json()) as { cloud: { backlogEvents: number } };
    await waitFor(
      async () => (await body()).cloud.backlogEvents === 0 && money().events.length >= confirmed.length,
      'the backlog drained',
      30_000,
    );
    const applied = money().events.map((e) => (e.data as { txnId: string }).txnId);
    // the kill came mid-stream
    expect(confirmed.filter((t) => Number(t.slice(2)) < 1000).length).toBeGreaterThanOrEqual(10);
    expect(confirmed.filter((t) => Number(t.slice(2)) >= 1000)).toHaveLength(10);
    // exactly once: every confirmed award is there, none twice; an award
    // whose answer was lost in the kill may be there too (it committed)
    expect(new Set(applied).size).toBe(applied.length);
    for (const t of confirmed) expect(applied).toContain(t);
    expect(money().events.map((e) => e.seq)).toEqual(Array.from({ length: applied.length }, (_, i) => i + 1));
    expect(money().gaps).toBe(0);
    expectCloudContractKept(twin);
    child?.kill('SIGTERM');
  }, 90_000);
});
