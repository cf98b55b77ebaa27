import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { installService } from '../service/install.ts';
import type { ServiceHost, ServiceReport } from '../service/layout.ts';
import { execRunner } from '../service/runner.ts';
import { renderUnit } from '../service/unit.ts';
import { uninstallService } from '../service/uninstall.ts';
import { UserError } from './user-error.ts';

/**
 * The installed bin/linli.mjs: the script this process runs (npm's /usr/bin/linli is a symlink to it),
 * resolved, so the unit does not depend on npm's symlink. The package's other files are beside it.
 */
function packageBin(): string {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : '';
  if (basename(script) !== 'linli.mjs' || basename(dirname(script)) !== 'bin')
    throw new UserError(
      `linli service must run from the linli command (this process runs ${script || 'no script'})`,
      'run it as `linli service ...` (installed with npm install -g) or `node bin/linli.mjs service ...`',
    );
  return script;
}

/** The machine as it is: the injected parts tests replace come from here. */
export function realHost(): ServiceHost {
  const binPath = packageBin();
  return {
    run: execRunner,
    uid: process.getuid?.() ?? -1,
    nodeVersion: process.versions.node,
    nodePath: process.execPath,
    binPath,
    examplePath: join(dirname(dirname(binPath)), 'config', 'example.yaml'),
    systemdBooted: () => existsSync('/run/systemd/system'),
  };
}

interface TargetFlags {
  root?: string;
  user: string;
  config: string;
  data: string;
  dryRun?: boolean;
  json?: boolean;
}

const absolute = (flag: string) => (value: string) => {
  if (!value.startsWith('/')) throw new InvalidArgumentError(`${flag} must be an absolute path`);
  return value.replace(/\/+$/, '') || '/';
};

function withPathOptions(cmd: Command): Command {
  return cmd
    .option('--user <name>', 'the system user the gateway runs as', 'linli')
    .option('--config <file>', 'the config file', absolute('--config'), '/etc/linli/config.yaml')
    .option('--data <dir>', 'the data folder (database, secrets)', absolute('--data'), '/var/lib/linli');
}

function withTargetOptions(cmd: Command): Command {
  return withPathOptions(cmd)
    .option('--root <dir>', 'do it all under this folder (an image, a test): no systemctl, users in <dir>/etc')
    .option('--dry-run', 'print what it would do, change nothing')
    .option('--json', 'print machine-readable JSON');
}

const MARK = { done: '✓', unchanged: '=', planned: '→' } as const;

function print(report: ServiceReport, json: boolean | undefined, nextSteps: string[]): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const lines = report.steps.map((s) => `  ${MARK[s.status]} ${s.detail}`);
  const head = report.dryRun
    ? `linli service ${report.action} --dry-run${report.root ? ` (root ${report.root})` : ''}: it would`
    : `linli service ${report.action}${report.root ? ` (root ${report.root})` : ''}:`;
  const tail = !report.changed
    ? [`nothing to change: linli is ${report.action === 'install' ? 'installed' : 'uninstalled'} as asked`]
    : report.dryRun
      ? ['(dry run: nothing changed)']
      : nextSteps;
  process.stdout.write(`${[head, ...lines, ...tail].join('\n')}\n`);
}

const targetOf = (o: TargetFlags) => ({
  root: o.root === undefined ? undefined : resolve(o.root),
  system: o.root === undefined,
  user: o.user,
  configPath: o.config,
  dataDir: o.data,
  dryRun: Boolean(o.dryRun),
});

/** `linli service install | uninstall | unit`: the gateway as a hardened systemd service. */
export function serviceCommand(host: () => ServiceHost = realHost): Command {
  const cmd = new Command('service').description('install the gateway as a systemd service (hardened unit)');
  cmd.addCommand(
    withTargetOptions(
      new Command('install')
        .description('create the user, config and data folder, write the unit, enable and start it (idempotent)')
        .option('--gpio', "the box's own GPIO (box.hardware.gpio): group gpio, /sys/class/gpio, /dev/gpiochip*")
        .option('--pcsc', "the box's own NFC reader through pcscd (box.hardware.nfc)")
        .option('--lan-only', 'let the gateway reach loopback and private addresses only (no cloud on the internet)')
        .option('--no-start', 'enable the service without starting it'),
    ).action(async (o: TargetFlags & { gpio?: boolean; pcsc?: boolean; lanOnly?: boolean; start: boolean }) => {
      const report = await installService(host(), {
        ...targetOf(o),
        gpio: Boolean(o.gpio),
        pcsc: Boolean(o.pcsc),
        lanOnly: Boolean(o.lanOnly),
        start: o.start,
      });
      print(report, o.json, [
        `edit ${o.config} (gateway.id, cloud, keys), then: sudo systemctl restart linli`,
        'check it: systemctl status linli; journalctl -u linli; systemd-analyze security linli',
      ]);
    }),
  );
  cmd.addCommand(
    withTargetOptions(
      new Command('uninstall')
        .description('stop and disable the service and remove its unit (data, config and user stay unless --purge)')
        .option('--purge', 'also delete the data folder (the residents’ balances!), the config and the user'),
    ).action(async (o: TargetFlags & { purge?: boolean }) => {
      const report = await uninstallService(host(), { ...targetOf(o), purge: Boolean(o.purge) });
      print(report, o.json, ['linli service is uninstalled']);
    }),
  );
  cmd.addCommand(
    withPathOptions(
      new Command('unit')
        .description('print the unit file install would write (to read it, or to score it: systemd-analyze security)')
        .option('--gpio', 'the GPIO variant')
        .option('--pcsc', 'the PC/SC variant')
        .option('--lan-only', 'loopback and private addresses only')
        .option('--json', 'print machine-readable JSON'),
    ).action((o: TargetFlags & { gpio?: boolean; pcsc?: boolean; lanOnly?: boolean }) => {
      const h = host();
      const unit = renderUnit({
        nodePath: h.nodePath,
        binPath: h.binPath,
        user: o.user,
        configPath: o.config,
        dataDir: o.data,
        gpio: Boolean(o.gpio),
        pcsc: Boolean(o.pcsc),
        lanOnly: Boolean(o.lanOnly),
      });
      process.stdout.write(o.json ? `${JSON.stringify({ unit })}\n` : unit);
    }),
  );
  return cmd;
}
