import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { benchColdStart } from './cold-start.ts';
import { benchDecisions } from './decisions.ts';
import { benchDurable } from './durable.ts';
import { benchDrain } from './drain.ts';
import { benchDrainToMosquitto } from './drain-mosquitto.ts';
import { benchEndToEnd } from './e2e/suite.ts';
import { printEndToEnd } from './e2e/print.ts';
import { compare, writeResults } from './report.ts';
import { loadAverage } from './support.ts';

// npm run bench [-- --out FILE] [-- --compare PREVIOUS.json]: prints figures and ratios, writes them as
// JSON. Targets are read here by people (and --compare flags a regression), never asserted in unit tests.
const { values: args } = parseArgs({
  options: { out: { type: 'string', default: 'bench-results.json' }, compare: { type: 'string' } },
});
const startedLoad = loadAverage();
const d = benchDecisions();
console.log('best-benefit selection, member with 50 active benefits:');
console.log(
  `  ${d.perSecond.toLocaleString('en')} decisions/s   p50 ${d.p50Ms.toFixed(3)} ms   p99 ${d.p99Ms.toFixed(3)} ms   ` +
    `(${d.applied} benefits applied)`,
);
const r = await benchDurable();
console.log('durable redemptions in process (WAL, synchronous=FULL, demo community, 64 concurrent requests):');
console.log(`  one transaction each: ${r.perTxn.toLocaleString('en')}/s`);
console.log(`  group commit:         ${r.group.toLocaleString('en')}/s   (mean batch ${r.meanBatch.toFixed(1)})`);
console.log(`  ratio group/single:   ${r.ratio.toFixed(1)}×   ledger verified: ${r.ledgerOk ? 'ok' : 'PROBLEMS'}`);
const dr = await benchDrain();
console.log(
  'cloud drain after an outage (20,000 money events waiting; ' +
    'live access events every 50 ms meanwhile; default pacing 20 batches/s of 100):',
);
console.log(`  outbox append:    ${Math.round(dr.appendPerSecond).toLocaleString('en')} events/s (in one transaction)`);
console.log(
  `  drain:            ${Math.round(dr.drainPerSecond).toLocaleString('en')} events/s   (${dr.drainS.toFixed(1)} s; ` +
    '20 batches/s shared in turn with the live stream)',
);
console.log(
  `  live events:      ${dr.live} delivered during the drain, ` +
    `latency p50 ${dr.liveP50Ms.toFixed(0)} ms, p99 ${dr.liveP99Ms.toFixed(0)} ms (not starved)`,
);
console.log(`  process RSS:      ${dr.rssMb.toFixed(0)} MB`);
const dm = await benchDrainToMosquitto();
console.log(
  `the same with the pacing raised (${dm.batchesPerSecond} batches/s of ${dm.batchMax}), ` +
    `${dm.backlog.toLocaleString('en')} events to a real Mosquitto (MQTT 5), counted at the subscriber:`,
);
console.log(
  `  drain:            ${Math.round(dm.drainPerSecond).toLocaleString('en')} events/s   ` +
    `duplicates ${dm.duplicates}, lost ${dm.lost}   (target ≥ 10,000/s, none lost or twice)`,
);
console.log(
  `  live events:      ${dm.live} during the drain, latency p50 ${dm.liveP50Ms.toFixed(0)} ms, ` +
    `p99 ${dm.liveP99Ms.toFixed(0)} ms`,
);
const cs = await benchColdStart();
console.log(
  'cold start, exec to the first CONNACK a device receives (loopback, ' +
    `temp data folder, median of ${cs.runs} runs after a warm-up):`,
);
const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms`;
console.log(
  `  linli start:        ${cs.linliP50Ms.toFixed(0)} ms   (runs ${range(cs.linliMs)}; compiled dist/, plain node)`,
);
console.log(
  `  bare node:          ${cs.bareP50Ms.toFixed(0)} ms   (runs ${range(cs.bareMs)}; ` +
    'better-sqlite3 opens the same database, bare aedes listener)',
);
console.log(`  ratio linli/bare:   ${cs.ratio.toFixed(1)}×`);
console.log(`  linli --version:    ${cs.versionP50Ms.toFixed(0)} ms   (exec to exit)`);
console.log('end to end over MQTT on loopback (simulated shop scanners, real protocol, QoS 1, open-loop load):');
const e2e = await benchEndToEnd({ log: (line) => console.log(line) });
printEndToEnd(e2e, (line) => console.log(line));
const results = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, loadAverage: { start: startedLoad, end: loadAverage() } },
  decisions: d,
  durable: r,
  drain: dr,
  drainToMosquitto: dm,
  coldStart: cs,
  e2e,
};
writeResults(args.out, results);
console.log(`figures written to ${args.out}; load average ${startedLoad.toFixed(2)} → ${loadAverage().toFixed(2)}`);
if (args.compare) {
  const c = compare(args.compare, results);
  console.log(`compared with ${args.compare} (a change for the worse over 20% is a regression):`);
  for (const line of c.lines) console.log(line);
  if (c.regressions > 0) {
    console.log(`${c.regressions} regression(s)`);
    process.exitCode = 1;
  }
}
