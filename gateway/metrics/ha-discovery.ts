import { topics } from '../../firmware-protocol/src/topics.ts';

/**
 * Home Assistant MQTT discovery for the gateway's devices: a retained config message per entity on
 * `homeassistant/<component>/linli_<deviceId>/<object>/config`, read by HA through an integration
 * account. Pure: the messages are published by HomeAssistantDiscovery.
 */

/** One device as discovery needs it (a DeviceRecord fits, plus a model name and the firmware if known). */
export interface DiscoveredDevice {
  id: string;
  kind: string;
  name?: string | null | undefined;
  /** What HA shows as the model: the kind's label ("Vending machine"); the kind itself by default. */
  model?: string | undefined;
  firmware?: string | null | undefined;
}

export interface DiscoverySettings {
  gatewayId: string;
  gatewayName?: string | undefined;
  /** HA's discovery prefix; `homeassistant` unless HA was configured otherwise. */
  prefix?: string | undefined;
}

/** A retained MQTT message: an empty payload removes the entity from HA. */
export interface DiscoveryMessage {
  topic: string;
  payload: string;
  qos: 1;
  retain: true;
}

type Component = 'sensor' | 'binary_sensor';

/** A reading of the device's telemetry [FWP-7.1] shown as a sensor. */
interface TelemetrySensor {
  object: string;
  name: string;
  /** The field of the telemetry body, e.g. `temperatureC`. */
  field: string;
  deviceClass: 'temperature' | 'signal_strength' | 'battery';
  unit: string;
  diagnostic?: boolean;
}

const TEMPERATURE: TelemetrySensor = {
  object: 'temperature',
  name: 'Temperature',
  field: 'temperatureC',
  deviceClass: 'temperature',
  unit: '°C',
};
const SIGNAL: TelemetrySensor = {
  object: 'signal',
  name: 'Signal',
  field: 'rssiDbm',
  deviceClass: 'signal_strength',
  unit: 'dBm',
  diagnostic: true,
};
const BATTERY: TelemetrySensor = {
  object: 'battery',
  name: 'Battery',
  field: 'batteryPct',
  deviceClass: 'battery',
  unit: '%',
};

/**
 * Which readings each kind's telemetry carries worth a sensor (temperatureC and rssiDbm are common to
 * every kind [FWP-7.1]; a door reader's temperature says nothing a resident needs). Data, not a switch.
 */
export const TELEMETRY_SENSORS: Readonly<Record<string, readonly TelemetrySensor[]>> = {
  vending_machine: [TEMPERATURE, SIGNAL],
  parcel_locker: [TEMPERATURE, SIGNAL],
  charging_pile: [TEMPERATURE, SIGNAL],
  door_reader: [SIGNAL],
  shop_scanner: [BATTERY, SIGNAL],
};
const DEFAULT_SENSORS: readonly TelemetrySensor[] = [SIGNAL];
/** Every object a device may have had: a removal clears them all, whatever its kind was. */
const ALL_OBJECTS: readonly [Component, string][] = [
  ['binary_sensor', 'problem'],
  ['sensor', 'status'],
  ...[TEMPERATURE, SIGNAL, BATTERY].map((s): [Component, string] => ['sensor', s.object]),
];

const prefixOf = (s: DiscoverySettings) => s.prefix ?? 'homeassistant';
const configTopic = (s: DiscoverySettings, component: Component, deviceId: string, object: string) =>
  `${prefixOf(s)}/${component}/linli_${deviceId}/${object}/config`;
/** Entity ids take no dashes. */
const slug = (s: string) => s.replaceAll('-', '_');
const gatewayIdentifier = (s: DiscoverySettings) => `linli_${s.gatewayId}`;

/** The gateway's own availability [FWP-10.1]: while it is offline nothing it published is current. */
const gatewayAvailability = () => ({ topic: topics.gatewayState(), value_template: '{{ value_json.state }}' });

function message(topic: string, payload: Record<string, unknown>): DiscoveryMessage {
  return { topic, payload: JSON.stringify(payload), qos: 1, retain: true };
}

function entity(s: DiscoverySettings, component: Component, deviceId: string, object: string) {
  const id = `linli_${s.gatewayId}_${deviceId}_${object}`;
  return {
    unique_id: id,
    // object_id until HA 2026.4; default_entity_id from 2025.10 (older versions drop keys they do not know)
    object_id: slug(`linli_${deviceId}_${object}`),
    default_entity_id: `${component}.${slug(`linli_${deviceId}_${object}`)}`,
  };
}

/** The discovery config messages of one device: health problem, health status, and its kind's readings. */
export function deviceDiscovery(d: DiscoveredDevice, s: DiscoverySettings): DiscoveryMessage[] {
  const stateTopic = topics.deviceState(d.id);
  const device = {
    identifiers: [`linli_${s.gatewayId}_${d.id}`],
    name: d.name ?? d.id,
    manufacturer: 'Linli',
    model: d.model ?? d.kind,
    ...(d.firmware ? { sw_version: d.firmware } : {}),
    via_device: gatewayIdentifier(s),
  };
  // health stays meaningful while the device is offline (it says so): only the gateway's state gates it
  const health = { device, availability: [gatewayAvailability()] };
  const out = [
    message(configTopic(s, 'binary_sensor', d.id, 'problem'), {
      name: 'Problem',
      ...entity(s, 'binary_sensor', d.id, 'problem'),
      ...health,
      state_topic: stateTopic,
      value_template: "{{ 'OFF' if value_json.status == 'ok' else 'ON' }}",
      payload_on: 'ON',
      payload_off: 'OFF',
      device_class: 'problem',
      json_attributes_topic: stateTopic,
      json_attributes_template: '{{ {"reasons": value_json.reasons} | tojson }}',
    }),
    message(configTopic(s, 'sensor', d.id, 'status'), {
      name: 'Status',
      ...entity(s, 'sensor', d.id, 'status'),
      ...health,
      state_topic: stateTopic,
      value_template: '{{ value_json.status }}',
      device_class: 'enum',
      options: ['ok', 'degraded', 'fault', 'offline', 'unknown'],
    }),
  ];
  const telemetryTopic = topics.up(d.id, 'telemetry');
  for (const t of TELEMETRY_SENSORS[d.kind] ?? DEFAULT_SENSORS) {
    out.push(
      message(configTopic(s, 'sensor', d.id, t.object), {
        name: t.name,
        ...entity(s, 'sensor', d.id, t.object),
        device,
        // a reading is current only while both the gateway and the device are online [FWP-10.2]
        availability: [gatewayAvailability(), { topic: stateTopic, value_template: '{{ value_json.state }}' }],
        availability_mode: 'all',
        state_topic: telemetryTopic,
        // a report without the field renders None: HA shows unknown rather than a stale or wrong value
        value_template: `{{ value_json.body.${t.field} | default(none) }}`,
        device_class: t.deviceClass,
        unit_of_measurement: t.unit,
        state_class: 'measurement',
        ...(t.diagnostic ? { entity_category: 'diagnostic' } : {}),
      }),
    );
  }
  return out;
}

/** Removes every entity a device may have had (empty retained payloads): for a device deleted from the registry. */
export function deviceRemoval(deviceId: string, s: DiscoverySettings): DiscoveryMessage[] {
  return ALL_OBJECTS.map(([component, object]) => ({
    topic: configTopic(s, component, deviceId, object),
    payload: '',
    qos: 1,
    retain: true,
  }));
}

/** The gateway itself, which every device is `via_device` of: one connectivity sensor. */
export function gatewayDiscovery(s: DiscoverySettings): DiscoveryMessage[] {
  return [
    message(`${prefixOf(s)}/binary_sensor/linli_${s.gatewayId}/connectivity/config`, {
      name: 'Connectivity',
      unique_id: `linli_${s.gatewayId}_connectivity`,
      object_id: slug(`linli_${s.gatewayId}_connectivity`),
      default_entity_id: `binary_sensor.${slug(`linli_${s.gatewayId}_connectivity`)}`,
      device: {
        identifiers: [gatewayIdentifier(s)],
        name: s.gatewayName ?? s.gatewayId,
        manufacturer: 'Linli',
        model: 'Gateway',
      },
      state_topic: topics.gatewayState(),
      value_template: "{{ 'ON' if value_json.state == 'online' else 'OFF' }}",
      payload_on: 'ON',
      payload_off: 'OFF',
      device_class: 'connectivity',
      entity_category: 'diagnostic',
    }),
  ];
}
