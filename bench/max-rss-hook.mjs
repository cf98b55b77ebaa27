// Loaded with `node --import` into a CLI process the bench runs: on exit it writes the process's peak
// resident memory (kB, from getrusage) to the file named by LINLI_BENCH_MAX_RSS, since a parent cannot
// read a child's peak after it has exited.
import { writeFileSync } from 'node:fs';

const file = process.env.LINLI_BENCH_MAX_RSS;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
