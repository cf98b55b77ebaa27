import { Gateway, type GatewayEndpoints } from '../app.ts';
import type { Config } from '../config/schema.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { SystemdNotifier } from '../core/systemd.ts';
import { DataFolderBusyError, DataFolderLock } from '../store/data-lock.ts';
import { firstBusyPort, listenersOf } from './port-check.ts';
import { systemCode, UserError } from './user-error.ts';

interface RunGatewayOptions {
  /** How the process was started, named to a second process that finds the data folder taken. */
  command?: string;
  /** The logger to use (the demo's quiet console); else one from `config.log`. */
  log?: Logger;
  onStarted?: (gw: Gateway, endpoints: GatewayEndpoints, log: Logger) => Promise<void> | void;
  /** Runs first on a stop, while the gateway still runs (the demo's simulated devices leave first). */
  beforeGatewayStop?: () => Promise<void>;
  /** Runs after the gateway stopped (it announced offline to the cloud first), also after a failed start. */
  afterStop?: () => Promise<void>;
}

function portError(port: number, what: string, how: string, code: string, cause: unknown): UserError {
  if (code === 'EACCES')
    return new UserError(
      `port ${port} (${what}) needs privileges this user lacks; choose a port above 1023 with ${how}`,
      undefined,
      1,
      { cause },
    );
  return new UserError(`port ${port} (${what}) is in use; choose another with ${how}`, undefined, 1, { cause });
}

/** Which listener a port the start could not open belongs to, and how to choose another. */
function portInUse(config: Config, err: unknown): UserError | undefined {
  const code = systemCode(err);
  if (code !== 'EADDRINUSE' && code !== 'EACCES') return undefined;
  const raw = (err as { port?: unknown }).port;
  const port = typeof raw === 'number' ? raw : Number(/:(\d+)$/.exec((err as Error).message)?.[1]);
  const l = listenersOf(config).find((x) => x.port === port) ?? {
    what: 'MQTT',
    how: '--mqtt-port N or mqtt.port in the config',
  };
  return portError(port, l.what, l.how, code, err);
}

function takeLock(config: Config, command: string): DataFolderLock {
  try {
    return DataFolderLock.acquire(config.dataDir, command);
  } catch (err) {
    if (!(err instanceof DataFolderBusyError)) throw err;
    throw new UserError(
      err.message,
      `stop it first${err.holder ? ` (kill ${err.holder.pid})` : ''}, ` +
        'or give this one another data folder with --data DIR',
      1,
      { cause: err },
    );
  }
}

/**
 * Starts a gateway and stops it cleanly on SIGINT/SIGTERM: gateway state offline first, then the
 * broker, then the database. A second signal while stopping forces exit. Holds the data folder's lock
 * from before the database opens until after it closed, so no second gateway runs on the same data.
 */
export async function runGateway(config: Config, opts: RunGatewayOptions = {}): Promise<void> {
  // nothing of the gateway runs yet: what the caller started beforehand (the demo's cloud) is stopped
  const refuse = async (err: unknown): Promise<never> => {
    await opts.afterStop?.().catch(() => undefined);
    throw err;
  };
  const lock = await Promise.resolve()
    .then(() => takeLock(config, opts.command ?? 'linli start'))
    .catch(refuse);
  const busy = await firstBusyPort(config);
  if (busy) {
    lock.release();
    await refuse(portError(busy.port, busy.what, busy.how, busy.code, undefined));
  }
  const log = opts.log ?? createLogger({ level: config.log.level, pretty: config.log.pretty });
  const gw = new Gateway(config, log);
  const notifier = new SystemdNotifier(log);
  const abandon = async () => {
    await gw.stop().catch((err: unknown) => log.debug({ err }, 'stopping a gateway that did not start'));
    await opts.afterStop?.().catch((err: unknown) => log.debug({ err }, 'after-stop step failed'));
    lock.release();
  };
  let endpoints: GatewayEndpoints;
  try {
    endpoints = await gw.start();
  } catch (err) {
    await abandon();
    const friendly = portInUse(config, err);
    if (friendly) throw friendly;
    log.fatal({ err }, 'gateway failed to start');
    throw err;
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    notifier.stopping();
    try {
      await opts.beforeGatewayStop?.();
      await gw.stop();
      await opts.afterStop?.();
      process.exitCode = 0;
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exitCode = 1;
    }
    lock.release();
    // Timers of the simulator or mqtt clients must not keep the process alive after a clean stop.
    setTimeout(() => process.exit(), 200).unref();
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    await opts.onStarted?.(gw, endpoints, log);
  } catch (err) {
    stopping = true;
    await opts.beforeGatewayStop?.().catch(() => undefined);
    await abandon();
    throw err;
  }
  const mqtt = [
    ...(endpoints.mqttTlsPort !== undefined ? [`MQTTS :${endpoints.mqttTlsPort}`] : []),
    ...(endpoints.mqttPort !== undefined ? [`MQTT :${endpoints.mqttPort}`] : []),
  ];
  notifier.ready(`${mqtt.join(', ')}, HTTP ${endpoints.httpUrl}`, () => gw.ready);
}
