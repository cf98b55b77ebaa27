import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawPublicKey } from '../../gateway/redemption/credentials/qr-credential.ts';
import { cardFingerprint } from '../../gateway/security/gateway-secrets.ts';
import { CloudTwin } from '../../sim/src/cloud-twin.ts';
import { SimDevice } from '../../sim/src/sim-device.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { Mosquitto } from '../support/mosquitto.ts';
import { expectCloudContractKept } from './contract-conformance.ts';
import { doorsOf, lockerOf } from '../support/kind-parts.ts';

const keys = generateKeyPairSync('ed25519');
const signingKeys = [{ kid: 'c1', publicKey: rawPublicKey(keys.publicKey).toString('base64url') }];

/** Documents the cloud pushes beyond money: campaign content for device screens, group buys, visitor codes. */
describe('cloud → gateway → devices', () => {
  let mosq: Mosquitto;
  let twin: CloudTwin;
  let h: Harness;
  const sims: SimDevice[] = [];

  beforeEach(async () => {
    mosq = await new Mosquitto().start();
    twin = new CloudTwin({
      url: mosq.url,
      signer: { kid: 'c1', key: keys.privateKey },
      clientId: `twin-${Math.random()}`,
    });
    await twin.start();
    h = await startGateway({
      cloud: {
        enabled: true,
        url: mosq.url,
        signingKeys,
        batchesPerSecond: 50,
        reconnectMinMs: 200,
        reconnectMaxMs: 1000,
      },
    } as never);
    await waitFor(
      () => h.gw.cloud?.isConnected === true && (h.gw.docs?.version('display') ?? 0) >= 1,
      'connected with documents',
    );
    await twin.pushDelta('linli-gw', 'catalog', {
      merchants: [{ id: 'cafe-01', name: 'Café' }],
      members: ['m-1', 'm-2', 'm-3'].map((id, i) => ({
        id,
        tier: 'regular',
        cards: [{ type: 'uid', fingerprint: cardFingerprint('uid', `04A2B3C${i}`) }],
      })),
    });
    await waitFor(() => h.gw.redemption.catalog.member('m-3') !== undefined, 'members');
  });
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.stop({ graceful: false })));
    const outbox = h.gw.outbox;
    await h.stop();
    await twin.stop();
    await mosq.dispose();
    expectCloudContractKept(twin, outbox);
  });

  it('a promotion reaches every vending machine screen, delivery tracked per device; ' +
    'an offline machine gets it when it comes back', async () => {
    for (const id of ['vm-01', 'vm-02']) {
      const d = new SimDevice({
        url: h.mqttUrl,
        id,
        kind: 'vending_machine',
        secret: (await h.gw.devices.provision({ id, kind: 'vending_machine' })).secret,
      });
      sims.push(d);
    }
    const [vm1, vm2] = sims as [SimDevice, SimDevice];
    await vm1.start();
    await waitFor(() => vm1.born, 'vm-01 up');
    await twin.pushDelta('linli-gw', 'display', {
      rollouts: [{ id: 'cny-2027', text: '新春特惠：牛奶第二件半价', kinds: ['vending_machine'], durationS: 30 }],
    });
    const progress = async () =>
      (await h.api('/api/v1/rollouts/cny-2027')).body as {
        total: number;
        delivered: number;
        pending: number;
        targets: { deviceId: string; status: string }[];
      };
    await waitFor(async () => (await progress()).delivered === 1, 'delivered to the machine that is online', 10_000);
    expect(await progress()).toMatchObject({ total: 2, delivered: 1, pending: 1 });
    await vm2.start();
    await waitFor(async () => (await progress()).delivered === 2, 'delivered once the other came back', 10_000);
    await waitFor(
      () => twin.stream('linli-gw', 'health').events.filter((e) => e.kind === 'rollout.delivered').length === 2,
      'progress reported to the cloud',
    );
    // the same document again changes nothing
    await twin.pushFull('linli-gw', 'display');
    await new Promise((r) => setTimeout(r, 300));
    expect((await progress()).total).toBe(2);
  }, 30_000);

  it('group-buy orders and visitor codes arrive from the cloud app', async () => {
    await twin.pushDelta('linli-gw', 'groupbuys', {
      orders: [
        {
          id: 'gb-1',
          title: '土鸡蛋',
          targetQty: 3,
          buyers: [
            { memberId: 'm-1', qty: 1 },
            { memberId: 'm-2', qty: 2 },
          ],
        },
      ],
    });
    await waitFor(() => lockerOf(h.gw).groupBuyRepo.get('gb-1')?.status === 'formed', 'group buy formed');
    const expiresAt = Date.now() + 3600_000;
    await twin.pushDelta('linli-gw', 'visitors', {
      codes: [
        { code: '48151623', zone: 'building-3', hostMemberId: 'm-1', validFrom: Date.now() - 1000, expiresAt, uses: 1 },
      ],
    });
    await waitFor(
      () => doorsOf(h.gw).accessRepo.visitorCode(h.gw.redemption.secrets.codeHash('visitor', '48151623')) !== undefined,
      'visitor code stored',
    );
    expect(JSON.stringify(h.gw.store.db.prepare('SELECT * FROM visitor_codes').all())).not.toContain('48151623');
  });
});
