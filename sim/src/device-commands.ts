import type { CommandMessage } from '../../firmware-protocol/src/messages/commands.ts';
import type { AckBody, KindModel } from './kinds/model.ts';

/** What a command may do to the simulated device that received it. */
interface CommandTarget {
  kind: string;
  model: KindModel;
  uptimeS(): number;
  telemetryNow(): void;
  later(ms: number, fn: () => void): void;
  setHeartbeat(intervalS: number): void;
  reboot(delayS: number): void;
}

/** [FWP-9] The simulated device's answer to a command: the kind's own commands first, then the common ones. */
export function executeCommand(cmd: CommandMessage, d: CommandTarget): AckBody {
  const b = cmd.body;
  const own = d.model.command(b, { changed: () => d.telemetryNow(), later: (ms, fn) => d.later(ms, fn) });
  if (own) return own;
  switch (b.name) {
    case 'ping':
      return { status: 'done', result: { pong: true, uptimeS: d.uptimeS() } };
    case 'identify':
    case 'display_message':
      return { status: 'done' };
    case 'set_heartbeat':
      d.setHeartbeat(b.args.intervalS);
      return { status: 'done', result: { intervalS: b.args.intervalS } };
    case 'reboot':
      d.later(50, () => d.reboot(b.args.delayS));
      return { status: 'done' };
    default:
      return { status: 'rejected', reason: 'E_UNSUPPORTED', detail: `${d.kind} cannot ${b.name}` };
  }
}
