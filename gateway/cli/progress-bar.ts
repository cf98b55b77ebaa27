/** Where a progress bar draws: stderr, so `--json` output on stdout stays one clean document. */
export interface ProgressOutput {
  isTTY?: boolean;
  write(s: string): unknown;
}

const WIDTH = 30;

/**
 * A one-line progress bar for long CLI work (`linli load` of a big catalogue). On a terminal it redraws
 * in place at most ten times a second; elsewhere (a service log, CI) it writes a line at each tenth of
 * each phase, so progress shows without thousands of lines.
 */
export function progressBar(out: ProgressOutput, now: () => number = () => performance.now()) {
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastStep = '';
  let drawn = false;
  const line = (label: string, f: number, detail: string) => {
    const full = Math.round(f * WIDTH);
    const bar = `${'#'.repeat(full)}${'.'.repeat(WIDTH - full)}`;
    const pct = String(Math.floor(f * 100)).padStart(3);
    return `${label.padEnd(9)} [${bar}] ${pct}% ${detail}, ${((now() - started) / 1000).toFixed(0)} s`;
  };
  return {
    update(label: string, fraction: number, detail: string): void {
      const f = Math.min(1, Math.max(0, fraction));
      if (out.isTTY) {
        if (now() - lastDraw < 100 && f < 1) return;
        lastDraw = now();
        out.write(`\r${line(label, f, detail)}\u001b[K`);
        drawn = true;
        return;
      }
      const step = `${label} ${Math.floor(f * 10)}`;
      if (step === lastStep) return;
      lastStep = step;
      out.write(`${line(label, f, detail)}\n`);
    },
    /** Ends the bar's line, so what is printed next starts on its own. */
    done(): void {
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}
