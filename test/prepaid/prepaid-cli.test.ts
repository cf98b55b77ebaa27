import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { linliInProcess } from '../cli/cli-support.ts';
import { tempDir } from '../support/tmp.ts';

/** `linli load` within the caps, `linli prepaid refund|liability|close`, and `linli ledger verify` with the closes. */
describe('linli prepaid', () => {
  const tmp = tempDir('linli-prepaid-cli-');
  const data = tmp.dir;
  afterAll(() => tmp.cleanup());
  afterEach(() => {
    process.exitCode = undefined;
  });
  const fixture = (file: string, anonFen: number) => {
    const path = join(data, file);
    writeFileSync(
      path,
      JSON.stringify({
        merchants: [{ id: 'cafe-01', name: 'Café' }],
        members: [
          { id: 'm-1', cardType: 'registered', walletFen: 400_000 },
          { id: 'm-2', walletFen: anonFen },
        ],
      }),
    );
    return path;
  };
  const run = (...args: string[]) => linliInProcess([...args, '--data', data]);

  it('refuses a load over a cap, whole, then loads one within, refunds once, reports and closes', async () => {
    const over = await run('load', fixture('over.json', 100_001));
    expect(over.code).not.toBe(0);
    expect(over.stderr).toContain('PREPAID_CAP_EXCEEDED');
    expect(over.stderr).toContain('m-2');
    const empty = JSON.parse((await run('prepaid', 'liability', '--json')).stdout);
    expect(empty.residents.walletsFen).toBe(0);

    expect((await run('load', fixture('ok.json', 100_000))).code).toBe(0);
    const first = await run('prepaid', 'refund', 'm-1', '--key', 'cli-key-1', '--amount', '2500', '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ memberId: 'm-1', amountFen: 2_500, balanceAfterFen: 397_500 });
    const again = await run('prepaid', 'refund', 'm-1', '--key', 'cli-key-1', '--amount', '2500');
    expect(again.stdout).toContain('already refunded (same key)');
    const bad = await run('prepaid', 'refund', 'm-1', '--key', 'cli-key-2', '--amount', '12.5');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('whole number of fen');

    const l = JSON.parse((await run('prepaid', 'liability', '--json')).stdout);
    expect(l.residents.walletsFen).toBe(497_500);
    expect(l.refundsPendingFen).toBe(2_500);
    expect(l.totals).toMatchObject({ outstandingFen: 500_000, issuedFen: 500_000, reconciled: true });
    const csv = await run('prepaid', 'liability', '--csv');
    expect(csv.stdout).toContain('kind,id,name,fen,yuan');
    expect(csv.stdout).toContain('refunds_pending,refund:stored-value,,2500,25.00');
    const human = await run('prepaid', 'liability');
    expect(human.stdout).toContain('reconciled with the ledger');

    // everything happened today: no finished day to close yet
    expect(JSON.parse((await run('prepaid', 'close', '--json')).stdout)).toEqual({ closed: 0, days: [] });
    const verify = JSON.parse((await run('ledger', 'verify', '--json')).stdout);
    expect(verify).toMatchObject({ ok: true, closes: 0, problems: [] });
  });
});
