import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GuardedConnection } from '../../broker/src/transport/guarded-connection.ts';
import { topics } from '../../firmware-protocol/src/topics.ts';
import { TurnBudget } from '../../gateway/core/turn-budget.ts';
import { BrokerHarness, DEVICES, nextMessage, secretOf, withTimeout } from './harness.ts';
import { connectPacket, publishPacket, RawConnection } from './raw-mqtt.ts';

const until = async (what: string, ok: () => boolean) => {
  await withTimeout(
    (async () => {
      while (!ok()) await new Promise((r) => setTimeout(r, 5));
    })(),
    what,
  );
};

/** A GuardedConnection on a real loopback socket whose inbound jobs wait until the test runs them. */
async function guardedPair() {
  const jobs: (() => void)[] = [];
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [socket] = await accepted;
  const stream = new GuardedConnection(socket, {
    maxPacketBytes: 1 << 20,
    maxQueuedBytes: 1 << 20,
    onVerdict: () => undefined,
    onSlowConsumer: () => undefined,
    turns: { run: (job) => void jobs.push(job) },
  });
  const received: Buffer[] = [];
  let ended = false;
  stream.on('data', (b: Buffer) => received.push(b));
  stream.on('end', () => {
    ended = true;
  });
  const runJobs = () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) job();
  };
  const close = async () => {
    client.destroy();
    socket.destroy();
    server.close();
    await once(server, 'close');
  };
  return { jobs, client, socket, stream, received, ended: () => ended, runJobs, close };
}

describe('inbound bytes go to aedes through the turn budget', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('hands bytes over only when their turn comes, in order, pausing the socket meanwhile', async () => {
    const p = await guardedPair();
    cleanup = p.close;
    const packets = Buffer.concat([1, 2, 3, 4].map((n) => publishPacket(`t/${n}`, `payload ${n}`)));
    p.client.write(packets);
    await until('the bytes to wait for their turn', () => p.jobs.length > 0);
    await new Promise((r) => setTimeout(r, 20));
    // nothing reached aedes yet, and the socket reads no more while its bytes wait
    expect(p.received).toEqual([]);
    expect(p.socket.isPaused()).toBe(true);
    const jobsWhilePaused = p.jobs.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(p.jobs.length).toBe(jobsWhilePaused);
    // each turn's bytes are delivered, then the socket reads again: in the end all of them, in order
    await until('every byte to reach aedes', () => {
      p.runJobs();
      return Buffer.concat(p.received).length === packets.length;
    });
    expect(Buffer.concat(p.received)).toEqual(packets);
    expect(p.socket.isPaused()).toBe(false);
    // the end waits its turn behind the bytes before it
    p.client.end(publishPacket('t/5', 'last'));
    await until('the last bytes and the end to queue', () => p.jobs.length > 0);
    expect(p.ended()).toBe(false);
    await until('the end to reach aedes', () => {
      p.runJobs();
      return p.ended();
    });
    expect(Buffer.concat(p.received)).toEqual(Buffer.concat([packets, publishPacket('t/5', 'last')]));
  });

  it('a connection closed meanwhile delivers nothing more, and its input is drained, not held', async () => {
    const p = await guardedPair();
    cleanup = p.close;
    p.client.write(publishPacket('t/1', 'one'));
    await until('the chunk to wait', () => p.jobs.length > 0);
    p.stream.destroy();
    p.runJobs();
    expect(p.received).toEqual([]);
    // what the client still sends is read and dropped at once, so the close is a FIN
    p.client.write(publishPacket('t/2', 'two'));
    await new Promise((r) => setTimeout(r, 20));
    expect(p.jobs).toEqual([]);
    expect(p.socket.isPaused()).toBe(false);
  });
});

describe('a broker whose turns run out: connections and packets wait for later turns, none lost or reordered', () => {
  let h: BrokerHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('every device connects, subscribes and gets its messages; uplinks arrive in order', async () => {
    // every reading of the clock moves it on past the budget: a turn runs one job, the rest wait
    let t = 0;
    const turns = new TurnBudget(2, () => (t += 3));
    h = await new BrokerHarness({}, turns).start();
    const uplinks: string[] = [];
    await h.broker.subscribe(topics.allUplinks(), (m) => void uplinks.push(`${m.topic}|${m.payload.toString()}`));
    const clients = await Promise.all(DEVICES.map((id) => h?.connectDevice(id)));
    expect(turns.deferred).toBeGreaterThan(0);
    const downs = await Promise.all(
      clients.map(async (c, i) => {
        const id = DEVICES[i] ?? '';
        await c?.subscribeAsync(topics.down(id, 'response'), { qos: 1 });
        const got = nextMessage(c as NonNullable<typeof c>, topics.down(id, 'response'));
        await h?.broker.publish(topics.down(id, 'response'), `to ${id}`, { qos: 1, retain: false });
        return (await got).toString();
      }),
    );
    expect(downs).toEqual(DEVICES.map((id) => `to ${id}`));
    const sent: string[] = [];
    await Promise.all(
      clients.map(async (c, i) => {
        const id = DEVICES[i] ?? '';
        for (let n = 0; n < 10; n++) {
          const topic = topics.up(id, 'request');
          sent.push(`${topic}|${n}`);
          c?.publish(topic, `${n}`, { qos: 1 });
        }
      }),
    );
    await until('every uplink', () => uplinks.length >= sent.length);
    for (const id of DEVICES) {
      const mine = (list: string[]) => list.filter((u) => u.startsWith(`${topics.up(id, 'request')}|`));
      expect(mine(uplinks)).toEqual(mine(sent));
    }
  });

  it("a device's last PUBLISH and DISCONNECT, sent right before it closes, are handled before the close", async () => {
    let t = 0;
    const turns = new TurnBudget(2, () => (t += 3));
    h = await new BrokerHarness({}, turns).start();
    const uplinks: string[] = [];
    await h.broker.subscribe(topics.allUplinks(), (m) => void uplinks.push(m.payload.toString()));
    const raw = await RawConnection.open(h.port);
    raw.write(connectPacket({ clientId: 'vm-01', username: 'vm-01', password: secretOf('vm-01') }));
    expect(await raw.connack()).toBe(0);
    // three packets and the FIN in one go: the close must not overtake the bytes waiting for their turn
    raw.socket.end(
      Buffer.concat([
        publishPacket(topics.up('vm-01', 'event'), 'first'),
        publishPacket(topics.up('vm-01', 'event'), 'last'),
        Buffer.from([0xe0, 0x00]), // DISCONNECT
      ]),
    );
    await withTimeout(raw.closed, 'the connection to close');
    await until('the presence of the close', () => h?.presence.some((e) => e.type === 'disconnected') ?? false);
    expect(uplinks).toEqual(['first', 'last']);
    expect(h.presence.find((e) => e.type === 'disconnected')).toMatchObject({ deviceId: 'vm-01', reason: 'clean' });
  });
});
