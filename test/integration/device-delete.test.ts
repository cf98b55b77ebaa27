import mqtt from 'mqtt';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { hashSecret } from '../../gateway/security/secret-hash.ts';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { vendOnce } from '../../devices/vending-machine/sim-flow.ts';
import { seededRng, SimDevice } from '../../sim/src/index.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';

const PASSWORD = 'integration-password-1';

/** The retained messages an integration (Home Assistant, say) gets on subscribing to a device's topics. */
async function retainedFor(url: string, deviceId: string): Promise<Record<string, string>> {
  const c = await mqtt.connectAsync(url, {
    protocolVersion: 4,
    clientId: 'integration-ha-1',
    username: 'integration-ha',
    password: PASSWORD,
    reconnectPeriod: 0,
  });
  const got: Record<string, string> = {};
  c.on('message', (topic, payload) => {
    if (payload.length > 0) got[topic] = payload.toString();
  });
  await c.subscribeAsync([topics.deviceState(deviceId), topics.lockerOccupancy(deviceId)], { qos: 1 });
  // retained messages follow the SUBACK at once; an absence can only be seen by waiting (a slow machine
  // makes this check weaker, never wrong: a late retained message would fail the presence checks instead)
  await new Promise((r) => setTimeout(r, 500));
  await c.endAsync();
  return got;
}

describe('DELETE /api/v1/devices/:id', () => {
  let hash: string;
  let h: Harness;
  beforeAll(async () => {
    hash = await hashSecret(PASSWORD);
  });
  beforeEach(async () => {
    h = await startGateway({
      mqtt: {
        integrations: [
          {
            username: 'integration-ha',
            passwordHash: hash,
            subscribe: ['linli/v1/dev/+/state', 'linli/v1/dev/+/occupancy'],
          },
        ],
      },
    } as never);
  });
  afterEach(() => h.stop());

  it('needs admin; kicks the device, forgets it, clears its retained state and health; its history stays', async () => {
    const { secret } = await h.gw.devices.provision({ id: 'vm-05', kind: 'vending_machine' });
    const d = new SimDevice({ url: h.mqttUrl, id: 'vm-05', kind: 'vending_machine', secret });
    await d.start();
    await waitFor(() => h.gw.monitor.get('vm-05')?.verdict.status === 'ok', 'vm-05 online');
    await waitFor(
      async () => (await retainedFor(h.mqttUrl, 'vm-05'))[topics.deviceState('vm-05')] !== undefined,
      'a retained state to clear',
    );
    // a purchase made at the device is history: it outlives the device
    loadInto(
      h.gw.store,
      h.dataDir,
      FixtureSchema.parse({ members: [{ id: 'm-1', walletFen: 5000, cards: [{ type: 'uid', uid: '04A1B2C3' }] }] }),
    );
    expect((await vendOnce(d, '04A1B2C3', seededRng(1), { failRate: 0 })).result).toBe('vended');
    const history = () =>
      h.gw.store.db.prepare("SELECT COUNT(*) AS n FROM redemptions WHERE device_id = 'vm-05'").get();
    expect(history()).toEqual({ n: 1 });

    const viewer = (await h.gw.tokens.create('viewer')).token;
    expect((await h.api('/api/v1/devices/vm-05', { method: 'DELETE', token: viewer })).status).toBe(403);
    const del = await h.api('/api/v1/devices/vm-05', { method: 'DELETE' });
    expect(del).toEqual({ status: 200, body: { id: 'vm-05', kind: 'vending_machine', deleted: true } });

    await waitFor(() => !d.connected, 'the device kicked');
    expect(h.gw.monitor.get('vm-05')).toBeUndefined();
    expect((await h.api('/api/v1/devices/vm-05')).body.error.code).toBe('DEVICE_NOT_FOUND');
    expect((await h.api('/api/v1/devices')).body.items).toEqual([]);
    expect(h.gw.store.db.prepare("SELECT COUNT(*) AS n FROM health_history WHERE device_id = 'vm-05'").get()).toEqual({
      n: 0,
    });
    expect(await retainedFor(h.mqttUrl, 'vm-05')).toEqual({});
    expect(history()).toEqual({ n: 1 });
    // it cannot come back with its old secret
    await d.stop({ graceful: false });
    await expect(
      new SimDevice({ url: h.mqttUrl, id: 'vm-05', kind: 'vending_machine', secret }).start(),
    ).rejects.toThrow();
    // a second delete: not found, in the documented error form
    expect((await h.api('/api/v1/devices/vm-05', { method: 'DELETE' })).body).toEqual({
      error: { code: 'DEVICE_NOT_FOUND', message: expect.any(String) },
    });
  });
});
