import { benchDecisions } from './decisions.ts';

// npm run bench: prints figures and ratios. Targets are read here by people, never asserted in unit tests.
const d = benchDecisions();
console.log('best-benefit selection, member with 50 active benefits:');
console.log(`  ${d.perSecond.toLocaleString('en')} decisions/s   p50 ${d.p50Ms.toFixed(3)} ms   p99 ${d.p99Ms.toFixed(3)} ms   (${d.applied} benefits applied)`);
