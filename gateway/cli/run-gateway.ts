import { Gateway, type GatewayEndpoints } from '../app.ts';
import type { Config } from '../config/schema.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { SystemdNotifier } from '../core/systemd.ts';

/**
 * Starts a gateway and stops it cleanly on SIGINT/SIGTERM: gateway state offline first, then the
 * broker, then the database. A second signal while stopping forces exit.
 */
export async function runGateway(
  config: Config,
  opts: { onStarted?: (gw: Gateway, endpoints: GatewayEndpoints, log: Logger) => Promise<void> | void; beforeStop?: () => Promise<void> } = {},
): Promise<void> {
  const log = createLogger({ level: config.log.level, pretty: config.log.pretty });
  const gw = new Gateway(config, log);
  const notifier = new SystemdNotifier(log);
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
      await gw.stop();
      await opts.beforeStop?.();
      process.exitCode = 0;
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exitCode = 1;
    }
    // Timers of the simulator or mqtt clients must not keep the process alive after a clean stop.
    setTimeout(() => process.exit(), 200).unref();
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  let endpoints: GatewayEndpoints;
  try {
    endpoints = await gw.start();
  } catch (err) {
    log.fatal({ err }, 'gateway failed to start');
    await gw.stop().catch(() => undefined);
    throw err;
  }
  await opts.onStarted?.(gw, endpoints, log);
  notifier.ready(`MQTT :${endpoints.mqttPort}, HTTP ${endpoints.httpUrl}`, () => gw.ready);
}
