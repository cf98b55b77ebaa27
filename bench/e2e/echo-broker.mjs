// The floor of the end-to-end benchmark: a bare aedes broker on loopback that answers every device
// request the way the gateway must at the very least (parse it, publish a response with its corr and
// txn at QoS 1), with nothing else: no authentication, no validation, no database. Plain JavaScript
// so the floor carries no loader. Usage: node echo-broker.mjs PORT; prints "ready" when listening, and
// its event loop's delay as JSON ({"maxMs":…}, sampled as the gateway samples its own) for each line
// "lag" on stdin: the floor of the loop-lag figure.
import { Aedes } from 'aedes';
import { createServer } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const port = Number(process.argv[2] ?? 0);
const broker = await Aedes.createBroker();
let seq = 0;
broker.subscribe(
  'linli/+/dev/+/up/request',
  (packet, done) => {
    done();
    let msg;
    try {
      msg = JSON.parse(packet.payload.toString('utf8'));
    } catch {
      return;
    }
    const device = packet.topic.split('/')[3];
    const body = msg.body ?? {};
    const answer = {
      v: '1.3',
      id: `echo-${(seq++).toString(36)}`,
      ts: Date.now(),
      seq,
      type: 'response',
      corr: msg.id,
      txn: msg.txn,
      body: {
        status: 'ok',
        op: body.op ?? 'redeem',
        decision: 'approved',
        redemptionId: `r-${msg.txn}`,
        subtotalFen: body.amountFen ?? 0,
        savingFen: 0,
        payableFen: body.amountFen ?? 0,
        paidBy: 'own',
        display: { zh: '已核销', en: 'Approved' },
      },
    };
    broker.publish(
      {
        cmd: 'publish',
        topic: `linli/v1/dev/${device}/down/response`,
        payload: JSON.stringify(answer),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => undefined,
    );
  },
  () => undefined,
);
const server = createServer({ noDelay: true }, broker.handle);
const delay = monitorEventLoopDelay({ resolution: 10 });
server.listen(port, '127.0.0.1', () => {
  delay.enable();
  console.log('ready');
});
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'lag')
    console.log(JSON.stringify({ lag: { maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 } }));
});
process.on('SIGTERM', () => server.close(() => broker.close(() => process.exit(0))));
