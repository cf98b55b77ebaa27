import { backupCheck } from './backup-check.ts';
import { certificatesCheck } from './certificates-check.ts';
import { clockCheck } from './clock-check.ts';
import { cloudCheck } from './cloud-check.ts';
import type { Check, DoctorContext } from './context.ts';
import { databaseCheck } from './database-check.ts';
import { diskSpaceCheck } from './disk-space-check.ts';
import { diskWearCheck } from './disk-wear-check.ts';
import { evaluate } from './evaluate.ts';
import { fail, type DoctorReport, type Finding } from './finding.ts';
import { gpioCheck } from './gpio-check.ts';
import { pcscdCheck } from './pcscd-check.ts';
import { permissionsCheck } from './permissions-check.ts';
import { plaintextCheck } from './plaintext-check.ts';
import { portsCheck } from './ports-check.ts';

/** Every check after the config's, in the order a person sets a box up (a new check is one line here). */
export const CHECKS: readonly Check[] = [
  permissionsCheck,
  diskSpaceCheck,
  diskWearCheck,
  clockCheck,
  pcscdCheck,
  gpioCheck,
  portsCheck,
  plaintextCheck,
  databaseCheck,
  cloudCheck,
  certificatesCheck,
  backupCheck,
];

/** No single check may hold the report up longer than this (network checks bound themselves tighter). */
export const CHECK_TIMEOUT_MS = 5000;

/** Runs one check; one that throws or hangs is itself a finding, never the end of the report. */
async function runOne(check: Check, ctx: DoctorContext, timeoutMs: number): Promise<Finding[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Finding[]>((resolve) => {
    timer = setTimeout(
      () =>
        resolve([
          fail(
            check.id,
            `the ${check.id} check did not finish within ${timeoutMs} ms`,
            'run doctor again; if it persists, report it',
          ),
        ]),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([check.run(ctx), late]);
  } catch (err) {
    return [
      fail(check.id, `the ${check.id} check failed: ${(err as Error).message}`, 'run doctor again with --verbose'),
    ];
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The report: the config's finding, then every check's, run side by side (the slow ones, the database
 * and the network, overlap). `monotonic` times the run without trusting the wall clock.
 */
export async function runDoctor(
  configFinding: Finding,
  ctx: DoctorContext | undefined,
  opts: { checks?: readonly Check[]; timeoutMs?: number; now: () => number; monotonic: () => number },
): Promise<DoctorReport> {
  const started = opts.monotonic();
  const results = ctx
    ? await Promise.all((opts.checks ?? CHECKS).map((c) => runOne(c, ctx, opts.timeoutMs ?? CHECK_TIMEOUT_MS)))
    : [];
  return evaluate([configFinding, ...results.flat()], opts.now(), opts.monotonic() - started);
}
