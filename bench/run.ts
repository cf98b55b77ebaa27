import { benchDecisions } from './decisions.ts';
import { benchDurable } from './durable.ts';

// npm run bench: prints figures and ratios. Targets are read here by people, never asserted in unit tests.
const d = benchDecisions();
console.log('best-benefit selection, member with 50 active benefits:');
console.log(`  ${d.perSecond.toLocaleString('en')} decisions/s   p50 ${d.p50Ms.toFixed(3)} ms   p99 ${d.p99Ms.toFixed(3)} ms   (${d.applied} benefits applied)`);
const r = await benchDurable();
console.log('durable redemptions (WAL, synchronous=FULL, demo community, 64 concurrent requests):');
console.log(`  one transaction each: ${r.perTxn.toLocaleString('en')}/s`);
console.log(`  group commit:         ${r.group.toLocaleString('en')}/s   (mean batch ${r.meanBatch.toFixed(1)})`);
console.log(`  ratio group/single:   ${r.ratio.toFixed(1)}×   ledger verified: ${r.ledgerOk ? 'ok' : 'PROBLEMS'}`);
