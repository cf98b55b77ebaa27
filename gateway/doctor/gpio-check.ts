import type { Check } from './context.ts';
import { fail, ok, warn } from './finding.ts';

/** The gid of a group by name, from /etc/group text. */
export function groupId(etcGroup: string, name: string): number | undefined {
  for (const line of etcGroup.split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/** The box's relay, LED and tamper switch need GPIO lines and the right to drive them (the gpio group). */
export const gpioCheck: Check = {
  id: 'gpio',
  async run(ctx) {
    const gpio = ctx.config.box.hardware.gpio;
    if (!gpio.enabled) return [];
    const sysfs = await ctx.io.stat(gpio.sysfsRoot);
    const chips = ((await ctx.io.list('/dev')) ?? []).filter((n) => /^gpiochip\d+$/.test(n));
    if (!sysfs?.isDirectory && chips.length === 0)
      return [
        fail(
          'gpio',
          `no GPIO on this machine (no ${gpio.sysfsRoot}, no /dev/gpiochip*)`,
          'run on a Raspberry Pi, or set box.hardware.gpio.enabled: false',
        ),
      ];
    const where = sysfs?.isDirectory ? gpio.sysfsRoot : `/dev/${chips[0]}`;
    if (ctx.user.uid === 0) return [ok('gpio', `GPIO at ${where} (running as root)`)];
    const gid = groupId((await ctx.io.readText('/etc/group')) ?? '', 'gpio');
    if (gid === undefined)
      return [
        warn(
          'gpio',
          `GPIO at ${where}, but this system has no gpio group (Raspberry Pi OS has one, with its udev rule)`,
          `sudo groupadd --system gpio && sudo usermod -aG gpio ${ctx.user.name}, and a udev rule giving it the lines`,
        ),
      ];
    if (!ctx.user.gids.includes(gid))
      return [
        fail(
          'gpio',
          `GPIO at ${where}, but ${ctx.user.name} is not in the gpio group`,
          `sudo usermod -aG gpio ${ctx.user.name}, then restart the gateway`,
        ),
      ];
    return [ok('gpio', `GPIO at ${where}; ${ctx.user.name} is in the gpio group`)];
  },
};
