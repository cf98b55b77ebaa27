import type { Check } from './context.ts';
import { fail, ok, warn } from './finding.ts';

const FIX = 'sudo apt-get install -y pcscd && sudo systemctl enable --now pcscd.socket';

/**
 * The desk NFC reader needs pcscd: without it the PC/SC library busy-loops (FIELD-NOTES), and the reader
 * waits. pcscd is socket-activated on Debian: the socket is what must be there; the service may sleep.
 */
export const pcscdCheck: Check = {
  id: 'pcscd',
  async run(ctx) {
    const nfc = ctx.config.box.hardware.nfc;
    if (!nfc.enabled) return [];
    const socket = await ctx.io.stat(nfc.pcscdSocket);
    if (!socket?.isSocket)
      return [fail('pcscd', `no pcscd socket at ${nfc.pcscdSocket}: the NFC reader cannot work`, FIX)];
    const active = await ctx.io.run('systemctl', ['is-active', 'pcscd.socket']);
    const state = active?.stdout.trim();
    if (state && state !== 'active') return [warn('pcscd', `pcscd's socket exists but pcscd.socket is ${state}`, FIX)];
    return [ok('pcscd', `pcscd listens at ${nfc.pcscdSocket}${state ? ' (pcscd.socket active)' : ''}`)];
  },
};
