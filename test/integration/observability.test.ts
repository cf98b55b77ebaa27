import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../gateway/security/secret-hash.ts';
import { connectRaw, startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RawDevice } from '../support/raw-device.ts';

const DOOR_CAPS = { doors: ['main'], readers: ['nfc'], hasKeypad: false };

/** What monitoring and Home Assistant see of a running gateway: /metrics and MQTT discovery. */
describe('metrics and Home Assistant discovery on a running gateway', () => {
  let h: Harness;
  let ha: MqttClient;
  let door: RawDevice;
  const password = 'integration-password-ha';
  const discovered = new Map<string, string>();

  beforeAll(async () => {
    h = await startGateway({
      homeAssistant: { discovery: true },
      mqtt: {
        integrations: [
          {
            username: 'integration-ha',
            passwordHash: await hashSecret(password),
            subscribe: ['homeassistant/#', 'linli/v1/gw/state', 'linli/v1/dev/+/state'],
          },
        ],
      },
    } as never);
    const secret = (await h.gw.devices.provision({ id: 'door-01', kind: 'door_reader' })).secret;
    door = await new RawDevice('door-01', 'door_reader', secret).connect(h.mqttUrl);
    await door.birth(DOOR_CAPS);
    ha = await connectRaw(h.mqttUrl, { username: 'integration-ha', password, clientId: 'integration-ha-1' });
    ha.on('message', (topic, payload) => discovered.set(topic, payload.toString()));
    await new Promise<void>((resolve, reject) =>
      ha.subscribe('homeassistant/#', { qos: 1 }, (err) => (err ? reject(err) : resolve())),
    );
  });
  afterAll(async () => {
    ha?.end(true);
    await door?.close();
    await h?.stop();
  });

  it('publishes retained discovery configs a Home Assistant account finds without configuration', async () => {
    await waitFor(() => [...discovered.keys()].some((t) => t.includes('linli_door-01')), 'door-01 discovered');
    const configs = [...discovered]
      .filter(([t]) => t.includes('linli_door-01'))
      .map(([, p]) => JSON.parse(p) as Record<string, unknown>);
    expect(configs.length).toBeGreaterThanOrEqual(2);
    for (const c of configs) {
      expect(c).toMatchObject({ unique_id: expect.stringContaining('door-01'), state_topic: expect.any(String) });
      expect((c.device as { identifiers: string[] }).identifiers).toEqual([expect.stringContaining('door-01')]);
    }
    // deleting the device takes its entities away (empty retained configs)
    await h.api('/api/v1/devices/door-01', { method: 'DELETE' });
    await waitFor(
      () => [...discovered].some(([t, p]) => t.includes('linli_door-01') && p === ''),
      'door-01 removed from Home Assistant',
    );
  });

  it("/metrics answers a viewer token in the Prometheus format with the gateway's figures", async () => {
    const viewer = (await h.gw.tokens.create('viewer', 'prometheus')).token;
    expect((await fetch(`${h.endpoints.httpUrl}/metrics`)).status).toBe(401);
    const res = await fetch(`${h.endpoints.httpUrl}/metrics`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of [
      'linli_devices{',
      'linli_mqtt_connections ',
      'linli_mqtt_messages_received_total{',
      'linli_writer_batch_size_bucket{',
      'linli_alerts_open{',
      'linli_process_resident_memory_bytes ',
      'linli_gateway_info{',
    ])
      expect(text, name).toContain(name);
    expect(text).toMatch(/linli_mqtt_connections [1-9]/);
  });
});
