import { benchColdStart } from './cold-start.ts';
import { benchDecisions } from './decisions.ts';
import { benchDurable } from './durable.ts';
import { benchDrain } from './drain.ts';

// npm run bench: prints figures and ratios. Targets are read here by people, never asserted in unit tests.
const d = benchDecisions();
console.log('best-benefit selection, member with 50 active benefits:');
console.log(
  `  ${d.perSecond.toLocaleString('en')} decisions/s   p50 ${d.p50Ms.toFixed(3)} ms   p99 ${d.p99Ms.toFixed(3)} ms   ` +
    `(${d.applied} benefits applied)`,
);
const r = await benchDurable();
console.log('durable redemptions (WAL, synchronous=FULL, demo community, 64 concurrent requests):');
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
