import { Command } from 'commander';
import { configFrom, parsePort, type CommonOptions } from './common.ts';
import { runGateway } from './run-gateway.ts';

interface StartOptions extends CommonOptions {
  mqttPort?: number;
  mqttsPort?: number;
  httpPort?: number;
  httpHost?: string;
  logLevel?: string;
}

/** `linli start`: a real deployment. */
export function startCommand(): Command {
  return new Command('start')
    .description('start the gateway: embedded MQTT broker, device registry and health, staff HTTP API')
    .option('-c, --config <file>', 'config file (YAML or JSON), validated at start-up; env LINLI_CONFIG')
    .option('-d, --data <dir>', 'data folder (default ./data); env LINLI_DATA_DIR')
    .option(
      '--mqtts-port <n>',
      'MQTT over TLS port for devices (default 8883; 0 = any free port); env LINLI_MQTTS_PORT',
      parsePort,
    )
    .option(
      '--mqtt-port <n>',
      'plain MQTT port, only with mqtt.plaintext: true (default 1883; 0 = any free port); env LINLI_MQTT_PORT',
      parsePort,
    )
    .option('--http-port <n>', 'HTTP API port (default 8080; 0 = any free port); env LINLI_HTTP_PORT', parsePort)
    .option('--http-host <host>', 'HTTP API address (default 127.0.0.1); env LINLI_HTTP_HOST')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace; env LINLI_LOG_LEVEL')
    .addHelpText(
      'after',
      '\nPrecedence: defaults < config file < environment < command line.\n' +
        'Example: linli start --config /etc/linli/config.yaml',
    )
    .action(async (opts: StartOptions) => {
      const config = configFrom(opts, {
        mqttPort: opts.mqttPort,
        mqttsPort: opts.mqttsPort,
        httpPort: opts.httpPort,
        httpHost: opts.httpHost,
        logLevel: opts.logLevel,
      });
      await runGateway(config, { command: 'linli start' });
    });
}
