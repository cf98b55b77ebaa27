import { TOPIC_ROOT } from '../../firmware-protocol/src/topics.ts';
import { filterContains, isValidFilter, isValidTopicName, levels, topicMatches } from './topic-filter.ts';

/**
 * Who is on the other end of a connection, once authenticated. Devices act only on their own topics
 * [FWP-3.2], [FWP-3.3]; integration accounts only read, within the filters configured for them.
 */
export type Principal =
  | { kind: 'device'; deviceId: string }
  | { kind: 'integration'; username: string; subscribe: readonly string[] };

export type AclDecision = { allow: true } | { allow: false; why: string };

const ALLOW: AclDecision = { allow: true };
const deny = (why: string): AclDecision => ({ allow: false, why });

/**
 * Any major, "v" + digits, as parseTopic accepts: a device on another major must still reach the
 * gateway, which answers UNSUPPORTED_PROTOCOL_VERSION on that major's down/error [FWP-2.4].
 */
const MAJOR_RE = /^v\d{1,3}$/;

/** A filter may name every major with '+': `linli/+/dev/{id}/down/error` hears refusals on any major [FWP-2.4]. */
const majorOk = (level: string | undefined, filter: boolean) => MAJOR_RE.test(level ?? '') || (filter && level === '+');

/** linli/v{N}/dev/{deviceId}/{direction}/{channel}: the channel of a device topic or filter, or undefined. */
function deviceLevels(topic: string, deviceId: string, direction: 'up' | 'down', filter = false): string | undefined {
  const p = levels(topic);
  if (p.length !== 6 || p[0] !== TOPIC_ROOT || !majorOk(p[1], filter)) return undefined;
  if (p[2] !== 'dev' || p[3] !== deviceId || p[4] !== direction) return undefined;
  const channel = p[5] ?? '';
  return channel === '' ? undefined : channel;
}

/** linli/v{N}/gw/state, literally [FWP-3.4] (as a filter, also linli/+/gw/state). */
function isGatewayState(topic: string, filter = false): boolean {
  const p = levels(topic);
  return p.length === 4 && p[0] === TOPIC_ROOT && majorOk(p[1], filter) && p[2] === 'gw' && p[3] === 'state';
}

/**
 * [FWP-3.2] A device publishes only on linli/v{N}/dev/{self}/up/{one level}. Unknown channels and
 * majors are let through on purpose: the gateway answers them with a coded error instead of a silent drop.
 */
function devicePublish(deviceId: string, topic: string): AclDecision {
  if (!isValidTopicName(topic)) return deny('wildcards are not allowed in a topic name');
  if (deviceLevels(topic, deviceId, 'up') === undefined)
    return deny(`devices publish only on ${TOPIC_ROOT}/v{N}/dev/${deviceId}/up/{channel}`);
  return ALLOW;
}

/** [FWP-8.3] The last will of a device may only be its own death message. */
export function deviceWill(deviceId: string, topic: string): AclDecision {
  if (!isValidTopicName(topic) || deviceLevels(topic, deviceId, 'up') !== 'death') {
    return deny(`a device's will must be on ${TOPIC_ROOT}/v{N}/dev/${deviceId}/up/death`);
  }
  return ALLOW;
}

/**
 * [FWP-3.3] A device subscribes to its own downlink (a channel, '+' or '#') and to the gateway state;
 * nothing across devices, no '$SYS', no bare '#'.
 */
function deviceSubscribe(deviceId: string, filter: string): AclDecision {
  if (!isValidFilter(filter)) return deny('invalid topic filter');
  if (isGatewayState(filter, true)) return ALLOW;
  if (deviceLevels(filter, deviceId, 'down', true) !== undefined) return ALLOW;
  return deny(
    `devices subscribe only to ${TOPIC_ROOT}/v{N}/dev/${deviceId}/down/{channel|+|#} and ${TOPIC_ROOT}/v{N}/gw/state`,
  );
}

/** What a device may receive: defence in depth behind deviceSubscribe, checked on every delivery. */
function deviceReceive(deviceId: string, topic: string): boolean {
  return isGatewayState(topic) || deviceLevels(topic, deviceId, 'down') !== undefined;
}

/** Integration accounts subscribe only to filters contained in one of their configured ones; never '$' topics. */
function integrationSubscribe(allowed: readonly string[], filter: string): AclDecision {
  if (!isValidFilter(filter)) return deny('invalid topic filter');
  if (filter.startsWith('$')) return deny('$ topics are reserved for the broker');
  if (!allowed.some((outer) => !outer.startsWith('$') && filterContains(outer, filter))) {
    return deny(`the filter is not within this account's subscribe list (${allowed.join(', ')})`);
  }
  return ALLOW;
}

/** Publish check for a connected principal; integration accounts are read-only. */
export function mayPublish(p: Principal, topic: string): AclDecision {
  return p.kind === 'device' ? devicePublish(p.deviceId, topic) : deny('integration accounts may not publish');
}

/** Will check for a connected principal: integrations have nothing to announce. */
export function mayPublishWill(p: Principal, topic: string): AclDecision {
  return p.kind === 'device' ? deviceWill(p.deviceId, topic) : deny('integration accounts may not set a will');
}

export function maySubscribe(p: Principal, filter: string): AclDecision {
  return p.kind === 'device' ? deviceSubscribe(p.deviceId, filter) : integrationSubscribe(p.subscribe, filter);
}

export function mayReceive(p: Principal, topic: string): boolean {
  if (p.kind === 'device') return deviceReceive(p.deviceId, topic);
  return !topic.startsWith('$') && p.subscribe.some((f) => topicMatches(f, topic));
}
