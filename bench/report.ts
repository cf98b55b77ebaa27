import { readFileSync, writeFileSync } from 'node:fs';

/** A figure a later run is compared on, and which way is better. */
interface Tracked {
  path: string;
  better: 'higher' | 'lower';
}

/** The figures `--compare` checks; a change for the worse over 20% is flagged. */
const TRACKED: readonly Tracked[] = [
  { path: 'decisions.perSecond', better: 'higher' },
  { path: 'durable.group', better: 'higher' },
  { path: 'drain.drainPerSecond', better: 'higher' },
  { path: 'drainToMosquitto.drainPerSecond', better: 'higher' },
  { path: 'coldStart.ratio', better: 'lower' },
  { path: 'e2e.linli.rt200.p50Ms', better: 'lower' },
  { path: 'e2e.linli.rt200.p99Ms', better: 'lower' },
  { path: 'e2e.linli.rt1000.p50Ms', better: 'lower' },
  { path: 'e2e.linli.rt1000.p99Ms', better: 'lower' },
  { path: 'e2e.linli.maxSustainedPerS', better: 'higher' },
  { path: 'e2e.linli.stormMs', better: 'lower' },
  { path: 'e2e.linli.restartMs', better: 'lower' },
  { path: 'e2e.linli.rssMb', better: 'lower' },
  { path: 'e2e.linli.peakRssMb', better: 'lower' },
  { path: 'e2e.linli.peakUnderLoadMb', better: 'lower' },
  { path: 'e2e.linli.bytesPerRedemption', better: 'lower' },
  { path: 'e2e.linli.stormLoopMaxMs', better: 'lower' },
  { path: 'e2e.catalogue.loadS', better: 'lower' },
  { path: 'e2e.coldStart.ratio', better: 'lower' },
  { path: 'e2e.catalogue.loadPeakRssMb', better: 'lower' },
];

const THRESHOLD = 0.2;

const at = (o: unknown, path: string): number | undefined => {
  let v: unknown = o;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

export function writeResults(file: string, results: unknown): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

/** One line per tracked figure present in both runs; `regressions` counts those worse by more than 20%. */
export function compare(previousFile: string, current: unknown): { lines: string[]; regressions: number } {
  const previous: unknown = JSON.parse(readFileSync(previousFile, 'utf8'));
  const lines: string[] = [];
  let regressions = 0;
  for (const t of TRACKED) {
    const [a, b] = [at(previous, t.path), at(current, t.path)];
    if (a === undefined || b === undefined || a === 0) continue;
    const change = (b - a) / Math.abs(a);
    const worse = t.better === 'higher' ? -change : change;
    const flag = worse > THRESHOLD ? 'REGRESSION' : worse < -THRESHOLD ? 'better' : 'same';
    if (flag === 'REGRESSION') regressions += 1;
    const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));
    lines.push(
      `  ${t.path.padEnd(34)} ${fmt(a).padStart(10)} → ${fmt(b).padStart(10)}  ` +
        `${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)}%  ${flag}`,
    );
  }
  return { lines, regressions };
}
