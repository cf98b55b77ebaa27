import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import {
  CommandBodySchema,
  kindSupportsCommand,
  type AckMessage,
  type CommandBody,
} from '../../firmware-protocol/src/messages/commands.ts';
import { formatIssues } from '../../firmware-protocol/src/decode.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { Downlink } from '../messaging/downlink.ts';

interface CommandResult {
  commandId: string;
  status: 'done';
  result: AckMessage['body']['result'];
  latencyMs: number;
}

interface Pending {
  deviceId: string;
  name: string;
  body: CommandBody;
  startedMono: number;
  timer: NodeJS.Timeout;
  resolve: (r: CommandResult) => void;
  reject: (e: Error) => void;
}

/** Max commands waiting for acks at once, so a dead device cannot pile up timers and promises. */
const MAX_PENDING = 1000;

/**
 * Sends commands to devices and waits for their ack [FWP-9.1..9.3]. The ack deadline is the command's
 * own `timeoutMs` plus a small allowance for the round trip; a device that cannot ack in time must not
 * carry the command out late, so a timeout is final.
 */
export class CommandService {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly downlink: Downlink,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async send(deviceId: string, kind: DeviceKind, input: unknown): Promise<CommandResult> {
    const parsed = CommandBodySchema.safeParse(input);
    if (!parsed.success) {
      const issues = formatIssues(parsed.error);
      throw new LinliError('VALIDATION_FAILED', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
    }
    const body: CommandBody = parsed.data;
    if (!kindSupportsCommand(kind, body.name)) {
      throw new LinliError('COMMAND_NOT_SUPPORTED', `a ${kind} does not implement "${body.name}"`);
    }
    if (this.pending.size >= MAX_PENDING)
      throw new LinliError('RATE_LIMITED', 'too many commands are waiting for acks');
    const { id } = await this.downlink.send(deviceId, 'command', 'command', body);
    return new Promise<CommandResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.log.warn({ deviceId, command: body.name, commandId: id }, 'command timed out');
        reject(
          new LinliError(
            'COMMAND_TIMEOUT',
            `${deviceId} did not acknowledge "${body.name}" within ${body.timeoutMs} ms`,
          ),
        );
      }, body.timeoutMs + 500);
      timer.unref();
      this.pending.set(id, {
        deviceId,
        name: body.name,
        body,
        startedMono: this.clock.monotonic(),
        timer,
        resolve,
        reject,
      });
    });
  }

  /**
   * Matches an ack to its command; returns the command, or undefined
   * when nothing is waiting (late, duplicate or foreign ack).
   */
  ack(deviceId: string, ack: AckMessage): CommandBody | undefined {
    const p = this.pending.get(ack.corr);
    if (!p || p.deviceId !== deviceId) return undefined;
    this.pending.delete(ack.corr);
    clearTimeout(p.timer);
    const latencyMs = Math.round(this.clock.monotonic() - p.startedMono);
    const detail = [ack.body.reason, ack.body.detail].filter(Boolean).join(': ');
    if (ack.body.status === 'done') {
      p.resolve({ commandId: ack.corr, status: 'done', result: ack.body.result, latencyMs });
    } else if (ack.body.status === 'rejected') {
      p.reject(
        new LinliError('COMMAND_REJECTED', `${deviceId} refused "${p.name}"${detail ? `: ${detail}` : ''}`, {
          reason: ack.body.reason,
        }),
      );
    } else {
      p.reject(
        new LinliError('COMMAND_FAILED', `${deviceId} could not carry out "${p.name}"${detail ? `: ${detail}` : ''}`, {
          reason: ack.body.reason,
        }),
      );
    }
    return p.body;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  stop(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new LinliError('NOT_READY', 'the gateway is stopping'));
      this.pending.delete(id);
    }
  }
}
