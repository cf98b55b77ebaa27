import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from '../support/gateway-harness.ts';
import { tempDir } from '../support/tmp.ts';
import { linliInProcess as linli, linliProcess, STACK } from './cli-support.ts';

/** A loopback port nobody listens on (taken and let go again). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Every user error: one clear line, a hint under it, a non-zero exit, and a stack trace only with --verbose. */
function expectUserError(r: { code: number; stderr: string }, line: RegExp, hint: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).not.toMatch(STACK);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^linli: /);
  expect(lines[0]).toMatch(line);
  expect(r.stderr).toMatch(hint);
}

describe('user errors: one line, a hint, no stack trace', () => {
  let h: Harness;
  const tmp = tempDir();
  beforeAll(async () => {
    h = await startGateway();
  });
  afterAll(async () => {
    await h.stop();
    tmp.cleanup();
  });

  it('an unknown device', async () => {
    expectUserError(
      await linli(['device', 'rotate', 'nosuch', '--data', tmp.dir]),
      /DEVICE_NOT_FOUND: no device "nosuch"/,
      /linli device list/,
    );
  });

  it('a bad config file names the path and how to check it', async () => {
    const f = join(tmp.dir, 'bad.yaml');
    writeFileSync(f, 'mqtt:\n  port: 99999\n');
    const r = await linli(['config', 'check', '--config', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mqtt\.port: Too big/);
    expect(r.stderr).toMatch(/linli config check --config FILE/);
    expect(r.stderr).not.toMatch(STACK);
    const s = await linli(['start', '--config', f]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/mqtt\.port/);
  });

  it('linli sim without --api or --credentials', async () => {
    expectUserError(
      await linli(['sim', '--lockers', '1']),
      /give --credentials FILE, or --api URL with --token TOKEN/,
      /linli sim --api http/,
    );
  });

  it('linli sim against a gateway that is not running (connection refused)', async () => {
    const port = await closedPort();
    expectUserError(
      await linli(['sim', '--api', `http://127.0.0.1:${port}`, '--token', 'llt_x', '--lockers', '1']),
      /cannot reach the gateway API at http:\/\/127\.0\.0\.1:\d+: connection refused/,
      /is the gateway running\?/,
    );
    const creds = join(tmp.dir, 'creds.json');
    writeFileSync(creds, JSON.stringify([{ id: 'vm-01', kind: 'vending_machine', secret: 's' }]));
    expectUserError(
      await linli(['sim', '--credentials', creds, '--url', `mqtt://127.0.0.1:${port}`]),
      /cannot reach the gateway broker at mqtt:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
      /--url is its MQTT address/,
    );
  });

  it('linli sim with a token the gateway refuses', async () => {
    expectUserError(
      await linli(['sim', '--api', h.endpoints.httpUrl, '--token', 'llt_not-a-real-token', '--lockers', '1']),
      /refused the API token \(401 UNAUTHENTICATED\)/,
      /linli token create --role admin/,
    );
  });

  it('linli sim with a wrong device secret', async () => {
    await h.gw.devices.provision({ id: 'vm-07', kind: 'vending_machine' });
    const creds = join(tmp.dir, 'wrong.json');
    writeFileSync(creds, JSON.stringify([{ id: 'vm-07', kind: 'vending_machine', secret: 'not-the-secret' }]));
    expectUserError(
      await linli(['sim', '--credentials', creds, '--url', h.mqttUrl]),
      /refused a device's credentials/,
      /linli device rotate ID/,
    );
  });

  it('an unknown token id to revoke', async () => {
    expectUserError(
      await linli(['token', 'revoke', 'tok_nope', '--data', tmp.dir]),
      /no active token "tok_nope"/,
      /linli token list/,
    );
  });

  it('--verbose adds the stack trace', async () => {
    const r = await linli(['device', 'rotate', 'nosuch', '--data', tmp.dir, '--verbose']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(STACK);
  });

  it('a password too short for hash-secret (read from stdin, so a real process)', async () => {
    const r = await linliProcess(['hash-secret'], { input: 'short\n' });
    expectUserError(r, /the password must be at least 12 characters \(it has 5\)/, /linli hash-secret --generate/);
  }, 90_000);
});
