import type { KindModule } from '../../devices/kind-module.ts';
import { commandsOf } from '../../devices/registry.ts';
import { literalOf } from '../../firmware-protocol/src/kinds/kind-wire.ts';

/**
 * - pass: the device did what the clause asks;
 * - fail: it did not (the reason says what it did instead);
 * - not_observed: the clause depends on something the device sends by itself (a request, an event),
 *   and it sent none during the run;
 * - not_exercised: the kit could not put the clause to the test (no valid arguments to build, the
 *   device was gone, the mode cannot do it); the reason says why.
 */
export type Verdict = 'pass' | 'fail' | 'not_observed' | 'not_exercised';

/** One checkable clause of the device's contract, with the PROTOCOL.md clauses it stands for. */
export interface ClauseDef {
  /** Stable key, e.g. "birth", "command:unlock_door". */
  readonly id: string;
  readonly fwp: readonly string[];
  readonly title: string;
}

export interface ClauseResult extends ClauseDef {
  verdict: Verdict;
  reason?: string;
}

/** Requests a kind's devices may send [FWP-11.2]: the kind's own and the engine's it lists. */
export function requestOpsOf(m: KindModule): string[] {
  return [...m.wire.requests.map((r) => literalOf(r, 'op')), ...m.wire.engineOps];
}

/** Events a kind's devices may send [FWP-11.7]: its own and the common tamper switch. */
export function eventNamesOf(m: KindModule): string[] {
  return [...m.wire.events.map((e) => literalOf(e, 'event')), 'tamper'];
}

const COMMAND_FWP = ['FWP-9.1', 'FWP-9.2', 'FWP-9.3'];

/**
 * The clauses a device of this kind is walked through, derived from its kind module: its capabilities
 * and telemetry schemas with the kind's own clause, every command it implements (`commandsOf`), the
 * requests and events it may send. A new kind in the registry gets its kit without editing the kit.
 */
export function clausesOf(m: KindModule, opts: { keepaliveLimitS: number }): ClauseDef[] {
  const { wire } = m;
  return [
    {
      id: 'connect',
      fwp: ['FWP-2.1'],
      title:
        'CONNECT: MQTT 3.1.1, client id = username = device id, a password, clean session, ' +
        `keep alive 1–${opts.keepaliveLimitS} s`,
    },
    {
      id: 'will',
      fwp: ['FWP-8.3', 'FWP-8.1'],
      title: 'will: the death on up/death, QoS 1, not retained, reason "lost", the bdSeq of the birth that follows',
    },
    {
      id: 'subscribe',
      fwp: ['FWP-3.3', 'FWP-3.5'],
      title: 'subscribes to its own downlink and linli/v1/gw/state with QoS 1 before its birth, to nothing else',
    },
    {
      id: 'birth',
      fwp: ['FWP-8.2', wire.clause],
      title: `birth first after CONNACK: seq 0, kind ${wire.kind}, capabilities valid against the ${wire.label} schema`,
    },
    {
      id: 'envelope',
      fwp: ['FWP-4.1', 'FWP-4.2', 'FWP-2.3'],
      title:
        'every uplink: a JSON envelope with v 1.x (the topic’s major), an id unique in its session, type = channel',
    },
    { id: 'seq', fwp: ['FWP-4.4'], title: 'seq 0 in the birth, then +1 with every later uplink of the session' },
    {
      id: 'topics',
      fwp: ['FWP-3.2', 'FWP-3.5'],
      title: 'publishes only on its own up/{channel} topics, with the channel’s QoS, never retained',
    },
    {
      id: 'heartbeat',
      fwp: ['FWP-8.4'],
      title: 'heartbeats {uptimeS} at the promised interval (the birth’s heartbeatS, or set_heartbeat’s)',
    },
    {
      id: 'telemetry',
      fwp: ['FWP-7.1', wire.clause],
      title: `telemetry valid against the ${wire.label} schema, at least every 60 s`,
    },
    {
      id: 'events',
      fwp: ['FWP-11.7'],
      title: `events of a ${wire.kind} (${eventNamesOf(m).join(', ')}), each valid`,
    },
    ...commandsOf(m).map((name) => ({
      id: `command:${name}`,
      fwp: COMMAND_FWP,
      title: `${name} with valid arguments: one valid ack "done" within timeoutMs`,
    })),
    {
      id: 'command-duplicate',
      fwp: ['FWP-9.3', 'FWP-4.2'],
      title: 'the same command id delivered twice is carried out once (answered once, or twice the same)',
    },
    {
      id: 'newer-minor',
      fwp: ['FWP-2.3'],
      title: 'a command of a later minor (v 1.99, fields it does not know outside args) is understood',
    },
    {
      id: 'closed-args',
      fwp: ['FWP-2.3', 'FWP-9.2', 'FWP-9.3'],
      title: 'a command with an argument it does not know is answered "rejected", never carried out',
    },
    {
      id: 'unknown-command',
      fwp: ['FWP-2.3', 'FWP-9.3'],
      title: 'a command it does not implement (a later minor’s) is answered "rejected"',
    },
    {
      id: 'rebirth-not-born',
      fwp: ['FWP-8.2', 'FWP-6.2'],
      title: 'NOT_BORN (the gateway lost the session) is answered with a birth: the same bdSeq, seq 0',
    },
    {
      id: 'rebirth-restart',
      fwp: ['FWP-8.2', 'FWP-10.1'],
      title: 'a new bootId on linli/v1/gw/state (the gateway restarted) is answered with a birth',
    },
    {
      id: 'request',
      fwp: ['FWP-11.2', 'FWP-4.3'],
      title: `requests of a ${wire.kind} (${requestOpsOf(m).join(', ')}), each valid, with a txn`,
    },
    {
      id: 'request-resend',
      fwp: ['FWP-5.1', 'FWP-4.3'],
      title: 'a request left unanswered is resent with a new id, the same txn and the same body',
    },
    {
      id: 'reconnect',
      fwp: ['FWP-8.1', 'FWP-8.3'],
      title: 'after a lost connection it reconnects; the new will and birth carry bdSeq + 1 (mod 65536)',
    },
    {
      id: 'backoff',
      fwp: ['FWP-2.2'],
      title: 'reconnects after a back-off, never in a tight loop (the first retry no sooner than 0.5 s)',
    },
    {
      id: 'shutdown',
      fwp: ['FWP-8.3'],
      title: 'an orderly shutdown (reboot): death "shutdown" with the session’s bdSeq, then DISCONNECT',
    },
    {
      id: 'major-fallback',
      fwp: ['FWP-2.4', 'FWP-6.1'],
      title: 'after UNSUPPORTED_PROTOCOL_VERSION on another major: no unchanged resend, a birth on v1',
    },
  ];
}
