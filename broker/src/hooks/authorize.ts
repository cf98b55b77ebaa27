import type { AedesOptions } from 'aedes';
import { mayPublish, mayPublishWill, mayReceive, maySubscribe } from '../acl.ts';
import type { Core } from '../core.ts';

/**
 * authorizePublish, for client publishes and for wills. A refused publish is an error, and aedes then
 * closes the connection ([MQTT-3.3.5-2] leaves no other answer in 3.1.1): a device publishing outside
 * its own uplink is broken or hostile. A will is the CONNECT's will object itself (aedes passes that
 * very object), allowed only on the device's own up/death [FWP-8.3], and dropped when the broker
 * itself is stopping. `client` is null only for wills
 * aedes finds left over by a broker that is gone; the gateway's own publishes never reach this hook.
 */
export function authorizePublishHook(core: Core): NonNullable<AedesOptions['authorizePublish']> {
  return (client, packet, done) => {
    if (!client) return done(null);
    const conn = core.conns.of(client.conn);
    const principal = conn?.principal;
    const isWill = conn?.connect?.will !== undefined && (packet as object) === conn.connect.will;
    if (isWill && conn?.reason === 'broker_stopping') {
      // the gateway is going down, not the device: a death now would only be noise [FWP-10.1]
      core.ctx.log.debug({ clientId: client.id }, 'will not published: the broker is stopping');
      return done(new Error('the broker is stopping'));
    }
    const decision = !principal
      ? { allow: false as const, why: 'not authenticated' }
      : isWill
        ? mayPublishWill(principal, packet.topic)
        : mayPublish(principal, packet.topic);
    if (!decision.allow) {
      core.counters.refusedPublishes += 1;
      if (conn && !isWill) conn.reason ??= 'kicked';
      core.limitedLog.warn(
        `${isWill ? 'will' : 'publish'}-refused:${conn?.address ?? client.id}`,
        { clientId: core.clip(client.id), address: conn?.address, topic: core.clip(packet.topic), why: decision.why },
        isWill ? 'will refused' : 'publish refused; closing the connection',
      );
      return done(new Error(decision.why));
    }
    // [FWP-3.5] devices never retain: strip the flag rather than disconnect a misconfigured device
    if (packet.retain) {
      packet.retain = false;
      core.ctx.log.debug({ clientId: client.id, topic: packet.topic }, 'retain flag stripped from a device publish');
    }
    done(null);
  };
}

/** authorizeSubscribe: a refused filter is answered with SUBACK 0x80 [MQTT-3.9.3]; the connection stays. */
export function authorizeSubscribeHook(core: Core): NonNullable<AedesOptions['authorizeSubscribe']> {
  const authorize = authorizeSubscribeNow(core);
  return (client, sub, done) => core.turns.run(() => authorize(client, sub, done));
}

function authorizeSubscribeNow(core: Core): NonNullable<AedesOptions['authorizeSubscribe']> {
  return (client, sub, done) => {
    const conn = core.conns.of(client.conn);
    const principal = conn?.principal;
    const decision = principal
      ? maySubscribe(principal, sub.topic)
      : { allow: false as const, why: 'not authenticated' };
    if (decision.allow) return done(null, sub);
    core.counters.refusedSubscribes += 1;
    // one SUBSCRIBE may carry thousands of filters: the log gets a few lines and a count
    core.limitedLog.warn(
      `subscribe-refused:${conn?.address ?? client.id}`,
      { clientId: core.clip(client.id), address: conn?.address, filter: core.clip(sub.topic), why: decision.why },
      'subscription refused (SUBACK 0x80)',
    );
    done(null, null);
  };
}

/**
 * authorizeForward: defence in depth behind the subscribe check. Every delivery to a client is checked
 * against what its principal may receive, so a mistake in a filter rule cannot leak another device's
 * commands. Synchronous by aedes' contract; null drops the delivery.
 */
export function authorizeForwardHook(core: Core): NonNullable<AedesOptions['authorizeForward']> {
  return (client, packet) => {
    const conn = core.conns.of(client.conn);
    const principal = conn?.principal;
    if (principal && mayReceive(principal, packet.topic)) return packet;
    core.limitedLog.warn(
      `forward-dropped:${conn?.address ?? client.id}`,
      { clientId: core.clip(client.id), address: conn?.address, topic: core.clip(packet.topic) },
      'delivery dropped by the forward check',
    );
    return null;
  };
}
