import pinoPretty from 'pino-pretty';
import { createLogger, type Logger } from '../core/log.ts';

/** A destination pino writes finished lines to. */
interface LineSink {
  write(line: string): unknown;
}

/**
 * The demo's console: warnings and errors (every routine event only at a lower log level), the banner
 * and the periodic summary. Once `quiet()` is called (a clean stop is under way) only errors pass: the
 * simulated devices going offline on purpose is not news.
 */
export class DemoConsole {
  readonly log: Logger;
  private stopping = false;
  private readonly sink: LineSink;

  constructor(opts: { level: string; pretty: boolean }) {
    // pino-pretty as a synchronous stream in this thread (not a transport worker): nothing is lost on exit
    this.sink = opts.pretty
      ? pinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app', sync: true })
      : process.stdout;
    const filter: LineSink = {
      write: (line: string) => {
        if (this.stopping && levelOf(line) < 50) return true;
        return this.sink.write(line);
      },
    };
    this.log = createLogger({ level: opts.level, destination: filter });
  }

  /** From now on, errors only. */
  quiet(): void {
    this.stopping = true;
  }

  /** A line for people (the banner, the summary), outside the log. */
  line(text: string): void {
    process.stdout.write(`${text}\n`);
  }
}

function levelOf(line: string): number {
  const m = /"level":(\d+)/.exec(line);
  return m ? Number(m[1]) : 30;
}
