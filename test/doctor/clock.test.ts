import { describe, expect, it } from 'vitest';
import { clockCheck } from '../../gateway/doctor/clock-check.ts';
import { fakeContext, type FakeBox } from './fake-box.ts';

const TD = 'timedatectl show -p NTPSynchronized --value';
const sync = async (programs: FakeBox['programs'], runtime?: Parameters<typeof fakeContext>[2]) =>
  clockCheck.run(fakeContext({ programs }, {}, runtime));

describe('doctor: clock synchronisation', () => {
  it('timedatectl: yes is ok, no is a warning with the command that turns NTP on', async () => {
    expect(await sync({ [TD]: { code: 0, stdout: 'yes\n' } })).toEqual([
      expect.objectContaining({ id: 'clock.sync', status: 'ok', message: expect.stringContaining('timedatectl') }),
    ]);
    const [no] = await sync({ [TD]: { code: 0, stdout: 'no\n' } });
    expect(no).toMatchObject({ status: 'warn', fix: expect.stringContaining('timedatectl set-ntp true') });
  });

  it('without timedatectl: chrony’s leap status, then ntpstat’s exit code', async () => {
    const chrony = (leap: string) => ({
      'chronyc tracking': { code: 0, stdout: `Reference ID : A\nLeap status     : ${leap}\n` },
    });
    expect((await sync(chrony('Normal')))[0]).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('chronyc'),
    });
    expect((await sync(chrony('Not synchronised')))[0]?.status).toBe('warn');
    expect((await sync({ ntpstat: { code: 0, stdout: 'synchronised to NTP server' } }))[0]?.status).toBe('ok');
    expect((await sync({ ntpstat: { code: 1, stdout: 'unsynchronised' } }))[0]?.status).toBe('warn');
  });

  it('unknown (no tool answers, or ntpstat cannot tell): a warning', async () => {
    const [none] = await sync({});
    expect(none).toMatchObject({ status: 'warn', message: expect.stringContaining('cannot tell') });
    expect((await sync({ ntpstat: { code: 2, stdout: '' } }))[0]?.message).toContain('cannot tell');
  });

  it('the running gateway’s own trust in its clock: ok, skewed, behind', async () => {
    const yes = { [TD]: { code: 0, stdout: 'yes' } };
    const gw = (state: 'ok' | 'skewed' | 'behind' | 'jumped' | 'unsynced', offsetMs: number | null = null) =>
      sync(yes, { gateway: 'another-process', runtime: { clock: { state, offsetMs } } }).then((f) => f[1]);
    expect(await gw('ok')).toMatchObject({ id: 'clock.gateway', status: 'ok' });
    expect(await gw('unsynced')).toMatchObject({ status: 'ok' });
    expect(await gw('skewed', 420_000)).toMatchObject({ status: 'warn', message: expect.stringContaining('420 s') });
    expect(await gw('jumped')).toMatchObject({ status: 'warn' });
    expect(await gw('behind')).toMatchObject({ status: 'fail' });
    expect(await sync(yes)).toHaveLength(1);
  });
});
