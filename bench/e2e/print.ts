import type { EndToEndFigures } from './suite.ts';

const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');

/** The end-to-end figures as a table: what the gateway did, the floor in the same run, and the ratio. */
export function printEndToEnd(e: EndToEndFigures, out: (line: string) => void): void {
  const { linli, echo, fsync } = e;
  const row = (what: string, figure: string, floor: string, r: string, target: string) =>
    out(`  ${what.padEnd(40)} ${figure.padStart(14)} ${floor.padStart(24)} ${r.padStart(8)}   ${target}`);
  out(
    `  ${e.devices} devices connected, load from ${e.loadDevices}; ${e.members.toLocaleString('en')} members; ` +
      `load average ${e.loadAverage.start.toFixed(2)} → ${e.loadAverage.end.toFixed(2)}`,
  );
  row('what', 'linli', 'floor (same run)', 'ratio', 'target');
  for (const [name, f, g] of [
    ['200/s', linli.rt200, echo.rt200],
    ['1,000/s', linli.rt1000, echo.rt1000],
  ] as const) {
    const p50Floor = g.p50Ms + fsync.p50Ms;
    const p99Floor = g.p99Ms + fsync.p99Ms;
    row(`round trip ${name} p50`, ms(f.p50Ms), `echo+fsync ${ms(p50Floor)}`, ratio(f.p50Ms, p50Floor), '≤ 1.5×');
    row(`round trip ${name} p99`, ms(f.p99Ms), `echo+fsync ${ms(p99Floor)}`, ratio(f.p99Ms, p99Floor), '≤ 2.5×');
  }
  row(
    'max sustained (p99 ≤ 50 ms, none lost)',
    `${linli.maxSustainedPerS}/s`,
    `echo ${echo.maxSustainedPerS}/s`,
    ratio(linli.maxSustainedPerS, echo.maxSustainedPerS),
    '≥ 0.5×',
  );
  row(
    `${e.devices} devices connect at once`,
    ms(linli.stormMs),
    `echo ${ms(echo.stormMs)}`,
    ratio(linli.stormMs, echo.stormMs),
    '≤ 2×',
  );
  row(
    '  event loop max while they connect',
    ms(linli.stormLoopMaxMs),
    `echo ${ms(echo.stormLoopMaxMs)}`,
    ratio(linli.stormLoopMaxMs, echo.stormLoopMaxMs),
    '≤ 50 ms',
  );
  row('restart, every device back', ms(linli.restartMs ?? Number.NaN), '', '', '< 5 s');
  row(
    `RSS with ${e.devices} devices`,
    `${linli.rssMb.toFixed(0)} MB`,
    `echo ${echo.rssMb.toFixed(0)} MB`,
    ratio(linli.rssMb, echo.rssMb),
    `≤ 150 MB, +${(linli.rssMb - echo.rssMb).toFixed(0)} MB (≤ 40)`,
  );
  row(
    'RSS idle, peak during the storm',
    `${linli.idleRssMb.toFixed(0)}, ${linli.peakRssMb.toFixed(0)} MB`,
    `echo ${echo.idleRssMb.toFixed(0)}, ${echo.peakRssMb.toFixed(0)} MB`,
    '',
    'peak ≤ 200 MB',
  );
  row(
    'RSS peak under load (round trips, ramp)',
    `${linli.peakUnderLoadMb.toFixed(0)} MB`,
    `echo ${echo.peakUnderLoadMb.toFixed(0)} MB`,
    ratio(linli.peakUnderLoadMb, echo.peakUnderLoadMb),
    '',
  );
  const c = e.catalogue;
  row(
    `linli load (${(c.members / 1000).toFixed(0)}k members, ${(c.benefits / 1e6).toFixed(1)}M benefits)`,
    `${c.loadS.toFixed(1)} s`,
    '',
    '',
    `< 60 s (peak ${c.loadPeakRssMb.toFixed(0)} MB; db ${c.databaseMb.toFixed(0)} MB)`,
  );
  row(
    '  cold start on it (exec → first CONNACK)',
    ms(e.coldStart.linliP50Ms),
    `bare ${ms(e.coldStart.bareP50Ms)}`,
    ratio(e.coldStart.linliP50Ms, e.coldStart.bareP50Ms),
    '≤ 1.5×',
  );
  row(
    'disk written per redemption (1,000/s)',
    `${((linli.bytesPerRedemption ?? 0) / 1024).toFixed(1)} KB`,
    `one commit ${(fsync.bytesPerCommit / 1024).toFixed(1)} KB`,
    ratio(linli.bytesPerRedemption ?? 0, fsync.bytesPerCommit),
    '≤ 2 KB',
  );
}
