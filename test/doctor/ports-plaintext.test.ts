import { describe, expect, it } from 'vitest';
import { plaintextCheck } from '../../gateway/doctor/plaintext-check.ts';
import { portsCheck } from '../../gateway/doctor/ports-check.ts';
import { fakeContext } from './fake-box.ts';

describe('doctor: ports', () => {
  it('ok when every configured port is free (TLS and HTTP by default; plain MQTT only when on)', async () => {
    const ctx = fakeContext({});
    const found = await portsCheck.run(ctx);
    expect(found.map((f) => [f.id, f.status])).toEqual([
      ['ports.mqtt-tls', 'ok'],
      ['ports.http', 'ok'],
    ]);
    const plain = await portsCheck.run(fakeContext({}, { mqtt: { plaintext: true } }));
    expect(plain.map((f) => f.id)).toEqual(['ports.mqtt', 'ports.mqtt-tls', 'ports.http']);
  });

  it('fail: a port another program holds (the command naming it); ok when the gateway holds it', async () => {
    const busy = { busyPorts: { '0.0.0.0:8883': 'EADDRINUSE' } };
    const [f] = await portsCheck.run(fakeContext(busy));
    expect(f).toMatchObject({
      status: 'fail',
      fix: "see which: sudo ss -ltnp 'sport = :8883'; or choose another: --mqtts-port N or mqtt.tls.port in the config",
    });
    const [o] = await portsCheck.run(fakeContext(busy, {}, { gateway: 'another-process' }));
    expect(o).toMatchObject({ status: 'ok', message: expect.stringContaining('held by the gateway') });
  });

  it('fail: a privileged port, an address not of this machine', async () => {
    const found = await portsCheck.run(
      fakeContext(
        { busyPorts: { '0.0.0.0:883': 'EACCES', '10.9.9.9:8080': 'EADDRNOTAVAIL' } },
        { mqtt: { tls: { port: 883 } }, http: { host: '10.9.9.9', port: 8080 } },
      ),
    );
    expect(found.map((f) => f.status)).toEqual(['fail', 'fail']);
    expect(found[0]?.fix).toContain('above 1023');
    expect(found[1]?.message).toContain('not an address of this machine');
  });

  it('in the gateway’s own process: its ports are its own, nothing probed; a port 0 is not checked', async () => {
    const ctx = fakeContext({}, { http: { port: 0 } }, { gateway: 'this-process' });
    const found = await portsCheck.run(ctx);
    expect(found).toEqual([expect.objectContaining({ id: 'ports.mqtt-tls', status: 'ok' })]);
    expect((ctx.io as unknown as { probed: string[] }).probed).toEqual([]);
  });
});

describe('doctor: plaintext listeners', () => {
  it('ok while plain MQTT is off; a warning naming the port while mqtt.plaintext is on', async () => {
    expect((await plaintextCheck.run(fakeContext({})))[0]).toMatchObject({ status: 'ok' });
    const [w] = await plaintextCheck.run(fakeContext({}, { mqtt: { plaintext: true, port: 1884 } }));
    expect(w).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('0.0.0.0:1884'),
      fix: expect.stringContaining('mqtt.plaintext: false'),
    });
  });
});
