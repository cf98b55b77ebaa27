import { describe, expect, it } from 'vitest';
import { gpioCheck, groupId } from '../../gateway/doctor/gpio-check.ts';
import { pcscdCheck } from '../../gateway/doctor/pcscd-check.ts';
import { fakeContext } from './fake-box.ts';

const SOCKET = '/run/pcscd/pcscd.comm';
const nfcOn = { box: { hardware: { nfc: { enabled: true } } } };
const gpioOn = { box: { hardware: { gpio: { enabled: true } } } };
const GROUP = 'root:x:0:\ngpio:x:997:pi\nlinli:x:1001:\n';

describe('doctor: pcscd when the desk NFC reader is enabled', () => {
  it('nothing to say when NFC is off', async () => {
    expect(await pcscdCheck.run(fakeContext({}))).toEqual([]);
  });

  it('ok: the socket is there and pcscd.socket is active', async () => {
    const [f] = await pcscdCheck.run(
      fakeContext(
        {
          files: { [SOCKET]: { isSocket: true } },
          programs: { 'systemctl is-active pcscd.socket': { code: 0, stdout: 'active\n' } },
        },
        nfcOn,
      ),
    );
    expect(f).toMatchObject({ id: 'pcscd', status: 'ok' });
  });

  it('warn: the socket is there but the unit is not active; fail: no socket, with the install line', async () => {
    const [w] = await pcscdCheck.run(
      fakeContext(
        {
          files: { [SOCKET]: { isSocket: true } },
          programs: { 'systemctl is-active pcscd.socket': { code: 3, stdout: 'inactive\n' } },
        },
        nfcOn,
      ),
    );
    expect(w).toMatchObject({ status: 'warn', message: expect.stringContaining('inactive') });
    const [f] = await pcscdCheck.run(fakeContext({ files: { [SOCKET]: { isSocket: false } } }, nfcOn));
    expect(f).toMatchObject({ status: 'fail', fix: expect.stringContaining('apt-get install -y pcscd') });
  });
});

describe('doctor: GPIO when the box’s relay, LED and tamper switch are enabled', () => {
  it('reads a group’s id from /etc/group', () => {
    expect(groupId(GROUP, 'gpio')).toBe(997);
    expect(groupId(GROUP, 'spi')).toBeUndefined();
  });

  it('nothing to say when GPIO is off', async () => {
    expect(await gpioCheck.run(fakeContext({}))).toEqual([]);
  });

  it('ok: /sys/class/gpio (or /dev/gpiochip0) and the user in the gpio group', async () => {
    const files = { '/sys/class/gpio': { isDirectory: true }, '/etc/group': { text: GROUP } };
    const [f] = await gpioCheck.run(
      fakeContext({ files }, gpioOn, { user: { uid: 1001, gids: [1001, 997], name: 'linli' } }),
    );
    expect(f).toMatchObject({ status: 'ok', message: expect.stringContaining('/sys/class/gpio') });
    const chip = { '/dev': { isDirectory: true }, '/dev/gpiochip0': {}, '/etc/group': { text: GROUP } };
    const [c] = await gpioCheck.run(
      fakeContext({ files: chip }, gpioOn, { user: { uid: 0, gids: [0], name: 'root' } }),
    );
    expect(c).toMatchObject({ status: 'ok', message: expect.stringContaining('/dev/gpiochip0') });
  });

  it('fail: the user not in the gpio group (the usermod line), or no GPIO at all; warn: no gpio group', async () => {
    const files = { '/sys/class/gpio': { isDirectory: true }, '/etc/group': { text: GROUP } };
    const [f] = await gpioCheck.run(fakeContext({ files }, gpioOn));
    expect(f).toMatchObject({ status: 'fail', fix: 'sudo usermod -aG gpio linli, then restart the gateway' });
    const [none] = await gpioCheck.run(fakeContext({ files: { '/dev': { isDirectory: true } } }, gpioOn));
    expect(none).toMatchObject({ status: 'fail', message: expect.stringContaining('no GPIO') });
    const [w] = await gpioCheck.run(
      fakeContext(
        { files: { '/sys/class/gpio': { isDirectory: true }, '/etc/group': { text: 'root:x:0:\n' } } },
        gpioOn,
      ),
    );
    expect(w?.status).toBe('warn');
  });
});
