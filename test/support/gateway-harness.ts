import type { BoxHardware } from '../../devices/box/box-hardware.ts';
import mqtt, { type MqttClient } from 'mqtt';
import { Gateway, type GatewayEndpoints } from '../../gateway/app.ts';
import { ConfigSchema, type ConfigInput } from '../../gateway/config/schema.ts';
import { silentLogger, type Logger } from '../../gateway/core/log.ts';
import type { Clock } from '../../gateway/core/clock.ts';
import { tempDir } from './tmp.ts';

export interface Harness {
  gw: Gateway;
  endpoints: GatewayEndpoints;
  mqttUrl: string;
  adminToken: string;
  dataDir: string;
  api(
    path: string,
    init?: { method?: string; token?: string | null; body?: unknown },
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/** A real gateway on ephemeral loopback ports with a temp data folder. */
export async function startGateway(
  overrides: Partial<ConfigInput> = {},
  opts: { log?: Logger; clock?: Clock; hardware?: BoxHardware } = {},
): Promise<Harness> {
  const tmp = tempDir('linli-gw-');
  const config = ConfigSchema.parse({
    ...overrides,
    dataDir: tmp.dir,
    // plain MQTT on loopback, opted into (TLS, the default, only when a test asks for it: mqtt.tls)
    mqtt: { host: '127.0.0.1', port: 0, plaintext: true, tls: { enabled: false }, ...(overrides.mqtt ?? {}) },
    http: { host: '127.0.0.1', port: 0 },
    health: { offlineGraceS: 1, ...(overrides.health ?? {}) },
    log: { level: 'silent' },
  });
  const gw = new Gateway(config, opts.log ?? silentLogger(), {
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.hardware ? { hardware: opts.hardware } : {}),
  });
  const endpoints = await gw.start();
  const adminToken = (await gw.tokens.create('admin', 'test')).token;
  return {
    gw,
    endpoints,
    mqttUrl: `mqtt://127.0.0.1:${endpoints.mqttPort}`,
    adminToken,
    dataDir: tmp.dir,
    async api(path, init = {}) {
      const token = init.token === undefined ? adminToken : init.token;
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${endpoints.httpUrl}${path}`, {
        method: init.method ?? 'GET',
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body };
    },
    async stop() {
      await gw.stop();
      tmp.cleanup();
    },
  };
}

/** Connects a raw MQTT client (no simulator logic), resolving on CONNACK or rejecting on refusal. */
export function connectRaw(url: string, opts: mqtt.IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, clean: true, ...opts });
    const timer = setTimeout(() => {
      c.end(true);
      reject(new Error('connect timed out'));
    }, 6000);
    c.once('connect', () => {
      clearTimeout(timer);
      resolve(c);
    });
    c.once('error', (err) => {
      clearTimeout(timer);
      c.end(true);
      reject(err);
    });
  });
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs` with `what`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
