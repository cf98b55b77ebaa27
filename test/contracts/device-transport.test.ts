import { chmodSync } from 'node:fs';
import { afterAll, beforeAll, describe } from 'vitest';
import type { ConfigInput } from '../../gateway/config/schema.ts';
import { BrokerHarness, secretOf } from '../broker/harness.ts';
import { startGateway } from '../support/gateway-harness.ts';
import { generateTestPki, type TestPki } from '../support/tls.ts';
import { describeDeviceTransportContract, type DeviceTransportSubject } from './device-transport.contract.ts';

/**
 * The ways a device reaches the gateway: the real gateway's broker over plain MQTT and over MQTT/TLS
 * (the simulator's `tls` option, sim/src/sim-device.ts), both on ephemeral loopback ports with
 * devices provisioned through the registry; and the broker alone behind the fake registry the broker
 * tests use (test/broker/harness.ts).
 */
async function gatewaySubject(
  overrides: Partial<ConfigInput>,
  transport: (ports: {
    mqttPort: number | undefined;
    mqttTlsPort: number | undefined;
  }) => Pick<DeviceTransportSubject, 'url' | 'clientOptions'>,
): Promise<DeviceTransportSubject> {
  const h = await startGateway(overrides);
  try {
    const door = await h.gw.devices.provision({ id: 'door-01', kind: 'door_reader' });
    const locker = await h.gw.devices.provision({ id: 'locker-01', kind: 'parcel_locker' });
    return {
      devices: [
        { id: 'door-01', secret: door.secret },
        { id: 'locker-01', secret: locker.secret },
      ],
      ...transport(h.endpoints),
      gatewaySubscribe: async (filter, handler) => {
        await h.gw.broker.subscribe(filter, (m) => handler(m.topic, m.payload));
      },
      gatewayPublish: (topic, payload) => h.gw.broker.publish(topic, payload, { qos: 1, retain: false }),
      isConnected: (id) => h.gw.broker.isConnected(id),
      stop: () => h.stop(),
    };
  } catch (err) {
    await h.stop();
    throw err;
  }
}

describeDeviceTransportContract('gateway broker, plain MQTT on loopback', () =>
  gatewaySubject({}, ({ mqttPort }) => ({ url: `mqtt://127.0.0.1:${mqttPort}`, clientOptions: {} })),
);

describe('with a throw-away PKI', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = generateTestPki();
    chmodSync(pki.serverKeyFile, 0o600); // the gateway refuses a key file others can read
  });
  afterAll(() => pki?.cleanup());

  describeDeviceTransportContract('gateway broker, MQTT over TLS on loopback', () =>
    gatewaySubject(
      {
        mqtt: {
          tls: {
            enabled: true,
            host: '127.0.0.1',
            port: 0,
            certFile: pki.serverCertFile,
            keyFile: pki.serverKeyFile,
          },
        },
      } as Partial<ConfigInput>,
      ({ mqttTlsPort }) => ({ url: `mqtts://127.0.0.1:${mqttTlsPort}`, clientOptions: { ca: pki.ca } }),
    ),
  );
});

describeDeviceTransportContract('LinliBroker alone, fake registry (test/broker/harness.ts)', async () => {
  const h = await new BrokerHarness().start();
  return {
    devices: [
      { id: 'locker-01', secret: secretOf('locker-01') },
      { id: 'vm-01', secret: secretOf('vm-01') },
    ],
    url: h.url,
    clientOptions: {},
    gatewaySubscribe: async (filter, handler) => {
      await h.broker.subscribe(filter, (m) => handler(m.topic, m.payload));
    },
    gatewayPublish: (topic, payload) => h.broker.publish(topic, payload, { qos: 1, retain: false }),
    isConnected: (id) => h.broker.isConnected(id),
    stop: () => h.stop(),
  };
});
