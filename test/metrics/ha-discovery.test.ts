import { describe, expect, it } from 'vitest';
import { EventBus } from '../../gateway/core/event-bus.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import type { GatewayEvents } from '../../gateway/gateway-events.ts';
import {
  deviceDiscovery,
  deviceRemoval,
  gatewayDiscovery,
  TELEMETRY_SENSORS,
  type DiscoveryMessage,
} from '../../gateway/metrics/ha-discovery.ts';
import { HomeAssistantDiscovery } from '../../gateway/metrics/ha-publisher.ts';
import type { DeviceRecord } from '../../gateway/store/device-repo.ts';

const S = { gatewayId: 'gw-1', gatewayName: 'Building 3' };
const VM = { id: 'vm-01', kind: 'vending_machine', name: 'Lobby drinks', model: 'Vending machine', firmware: '2.4.1' };

/** [HA MQTT discovery] <prefix>/<component>/[<node_id>/]<object_id>/config, ids of [a-zA-Z0-9_-]. */
const TOPIC_RE = /^homeassistant\/(sensor|binary_sensor)\/[a-zA-Z0-9_-]+\/[a-zA-Z0-9_-]+\/config$/;
/** HA's device classes and the units it accepts for them (sensor and binary_sensor documentation). */
const SENSOR_UNITS: Record<string, string[]> = {
  temperature: ['°C', '°F', 'K'],
  signal_strength: ['dB', 'dBm'],
  battery: ['%'],
  enum: [],
};
const BINARY_CLASSES = ['problem', 'connectivity'];

const parse = (m: DiscoveryMessage) => JSON.parse(m.payload) as Record<string, any>;
const byObject = (ms: DiscoveryMessage[], object: string) => {
  const m = ms.find((x) => x.topic.endsWith(`/${object}/config`));
  if (!m) throw new Error(`no ${object} entity`);
  return { topic: m.topic, p: parse(m) };
};

/** What every discovery payload must hold to be a well-formed entity of a device in HA's registry. */
function expectWellFormed(m: DiscoveryMessage): void {
  expect(m.topic).toMatch(TOPIC_RE);
  expect(m.retain).toBe(true);
  const p = parse(m);
  const component = m.topic.split('/')[1];
  // required by both platforms; unique_id and device.identifiers put the entity on a device
  expect(typeof p.state_topic).toBe('string');
  expect(typeof p.unique_id).toBe('string');
  expect(typeof p.name).toBe('string');
  expect(p.device.identifiers.length).toBeGreaterThan(0);
  expect(p.device.manufacturer).toBe('Linli');
  expect(p.object_id).toMatch(/^[a-z0-9_]+$/);
  expect(p.default_entity_id).toBe(`${component}.${p.object_id}`);
  if (component === 'binary_sensor') {
    expect(BINARY_CLASSES).toContain(p.device_class);
    expect(p).not.toHaveProperty('unit_of_measurement');
  } else {
    expect(Object.keys(SENSOR_UNITS)).toContain(p.device_class);
    if (p.device_class === 'enum') {
      expect(p.options.length).toBeGreaterThan(0);
      expect(p).not.toHaveProperty('unit_of_measurement');
      expect(p).not.toHaveProperty('state_class');
    } else {
      expect(SENSOR_UNITS[p.device_class]).toContain(p.unit_of_measurement);
      expect(p.state_class).toBe('measurement');
    }
  }
}

describe('Home Assistant discovery', () => {
  it("describes a vending machine: problem, status, temperature and signal, on the gateway's topics", () => {
    const ms = deviceDiscovery(VM, S);
    expect(ms.map((m) => m.topic)).toEqual([
      'homeassistant/binary_sensor/linli_vm-01/problem/config',
      'homeassistant/sensor/linli_vm-01/status/config',
      'homeassistant/sensor/linli_vm-01/temperature/config',
      'homeassistant/sensor/linli_vm-01/signal/config',
    ]);
    for (const m of ms) expectWellFormed(m);

    const problem = byObject(ms, 'problem').p;
    expect(problem.state_topic).toBe('linli/v1/dev/vm-01/state');
    expect(problem.device_class).toBe('problem');
    expect(problem.unique_id).toBe('linli_gw-1_vm-01_problem');
    expect(problem.object_id).toBe('linli_vm_01_problem');
    expect(problem.device).toEqual({
      identifiers: ['linli_gw-1_vm-01'],
      name: 'Lobby drinks',
      manufacturer: 'Linli',
      model: 'Vending machine',
      sw_version: '2.4.1',
      via_device: 'linli_gw-1',
    });
    expect(problem.availability).toEqual([{ topic: 'linli/v1/gw/state', value_template: '{{ value_json.state }}' }]);

    const status = byObject(ms, 'status').p;
    expect(status.value_template).toBe('{{ value_json.status }}');
    expect(status.options).toEqual(['ok', 'degraded', 'fault', 'offline', 'unknown']);

    const temperature = byObject(ms, 'temperature').p;
    expect(temperature.state_topic).toBe('linli/v1/dev/vm-01/up/telemetry');
    expect(temperature.value_template).toBe('{{ value_json.body.temperatureC | default(none) }}');
    expect(temperature).toMatchObject({ device_class: 'temperature', unit_of_measurement: '°C' });
    expect(temperature.availability_mode).toBe('all');
    expect(temperature.availability.map((a: { topic: string }) => a.topic)).toEqual([
      'linli/v1/gw/state',
      'linli/v1/dev/vm-01/state',
    ]);
    const signal = byObject(ms, 'signal').p;
    expect(signal).toMatchObject({ device_class: 'signal_strength', unit_of_measurement: 'dBm' });
    expect(signal.entity_category).toBe('diagnostic');
  });

  it('gives each kind the readings its telemetry carries, and any other kind its signal', () => {
    const objects = (kind: string) => deviceDiscovery({ id: 'd-1', kind }, S).map((m) => m.topic.split('/')[3]);
    expect(objects('parcel_locker')).toEqual(['problem', 'status', 'temperature', 'signal']);
    expect(objects('shop_scanner')).toEqual(['problem', 'status', 'battery', 'signal']);
    expect(objects('door_reader')).toEqual(['problem', 'status', 'signal']);
    expect(objects('a_future_kind')).toEqual(['problem', 'status', 'signal']);
    for (const kind of Object.keys(TELEMETRY_SENSORS))
      for (const m of deviceDiscovery({ id: 'd-1', kind }, S)) expectWellFormed(m);
  });

  it('turns the health state into the problem binary sensor: on unless ok', () => {
    const p = byObject(deviceDiscovery(VM, S), 'problem').p;
    expect(p.value_template).toContain("value_json.status == 'ok'");
    expect(p.payload_on).toBe('ON');
    expect(p.payload_off).toBe('OFF');
    expect(p.json_attributes_topic).toBe('linli/v1/dev/vm-01/state');
  });

  it('names an unnamed device by its id and its model by its kind', () => {
    const p = byObject(deviceDiscovery({ id: 'lk-2', kind: 'parcel_locker', name: null }, S), 'status').p;
    expect(p.device.name).toBe('lk-2');
    expect(p.device.model).toBe('parcel_locker');
    expect(p.device).not.toHaveProperty('sw_version');
  });

  it('removes a deleted device with empty retained payloads on every topic it may have used', () => {
    const removal = deviceRemoval('vm-01', S);
    for (const m of removal) {
      expect(m).toMatchObject({ payload: '', retain: true });
      expect(m.topic).toMatch(TOPIC_RE);
    }
    const published = deviceDiscovery(VM, S).map((m) => m.topic);
    expect(removal.map((m) => m.topic)).toEqual(expect.arrayContaining(published));
  });

  it('describes the gateway every device is via, with its connectivity', () => {
    const [gw] = gatewayDiscovery({ ...S, prefix: 'ha' });
    if (!gw) throw new Error('no gateway entity');
    expect(gw.topic).toBe('ha/binary_sensor/linli_gw-1/connectivity/config');
    const p = parse(gw);
    expect(p.device.identifiers).toEqual([byObject(deviceDiscovery(VM, S), 'status').p.device.via_device]);
    expect(p.state_topic).toBe('linli/v1/gw/state');
    expect(p.device_class).toBe('connectivity');
  });

  it('publishes everything at start, follows registrations and removals, and stops following at stop()', async () => {
    const bus = new EventBus<GatewayEvents>(silentLogger());
    const sent: DiscoveryMessage[] = [];
    const ha = new HomeAssistantDiscovery({
      settings: S,
      bus,
      devices: () => [VM],
      modelOf: (kind) => (kind === 'parcel_locker' ? 'Parcel locker' : undefined),
      publish: async (m) => {
        sent.push(m);
      },
      log: silentLogger(),
    });
    await ha.start();
    expect(sent.map((m) => m.topic)).toContain('homeassistant/binary_sensor/linli_gw-1/connectivity/config');
    expect(sent.filter((m) => m.topic.includes('linli_vm-01/'))).toHaveLength(4);

    sent.length = 0;
    const locker = { id: 'lk-1', kind: 'parcel_locker', name: 'Gate B' } as DeviceRecord;
    bus.emit('device.registered', { device: locker, elsewhere: false });
    bus.emit('device.revoked', { id: 'vm-01', why: 'disabled', elsewhere: false });
    bus.emit('device.revoked', { id: 'vm-02', why: 'removed', elsewhere: true });
    await new Promise((r) => setImmediate(r));
    expect(parse(sent[0] as DiscoveryMessage).device.model).toBe('Parcel locker');
    expect(sent.filter((m) => m.topic.includes('linli_vm-01/'))).toEqual([]);
    expect(sent.filter((m) => m.topic.includes('linli_vm-02/') && m.payload === '').length).toBeGreaterThan(0);

    ha.stop();
    sent.length = 0;
    bus.emit('device.registered', { device: locker, elsewhere: false });
    expect(sent).toEqual([]);
  });
});
