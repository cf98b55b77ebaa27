import { ImmediateWriter } from '../store/immediate-writer.ts';
import { Command } from 'commander';
import { DEVICE_KINDS } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { silentLogger } from '../core/log.ts';
import { systemClock } from '../core/clock.ts';
import { DeviceService } from '../registry/device-service.ts';
import { StaffTokens, StaffRoleSchema } from '../security/staff-tokens.ts';
import { brokerTrust, trustLines } from '../security/broker-trust.ts';
import { print, withDataOptions, withStore, type CommonOptions } from './common.ts';
import { UserError } from './user-error.ts';

const RUNNING_NOTE =
  'A running gateway on the same data folder notices the change within a second and disconnects the device.';

/** `linli provision`: a new device and its secret, shown once. */
export function provisionCommand(): Command {
  return withDataOptions(
    new Command('provision')
      .description('provision a device and print its secret (shown once; only a hash is stored)')
      .requiredOption('-k, --kind <kind>', `device kind: ${DEVICE_KINDS.join(', ')}`)
      .requiredOption('-i, --id <id>', 'device id: lower-case letters, digits and dashes, e.g. vm-01')
      .option('-n, --name <name>', 'a human name, e.g. "Building 3 lobby"')
      .option('-m, --merchant <id>', 'for a shop scanner: the shop it redeems for (required before it can redeem)'),
  ).action(async (opts: CommonOptions & { kind: string; id: string; name?: string; merchant?: string }) => {
    await withStore(opts, async (store, config) => {
      const svc = new DeviceService(store.devices, new ImmediateWriter(store.db), systemClock, silentLogger());
      const { device, secret } = await svc.provision({
        id: opts.id,
        kind: opts.kind as (typeof DEVICE_KINDS)[number],
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.merchant ? { merchantId: opts.merchant } : {}),
      });
      // [FWP-1.4] how the device reaches the broker and which CA it pins
      const broker = await brokerTrust(config, systemClock.now());
      print(
        opts,
        { id: device.id, kind: device.kind, secret, broker },
        `Provisioned ${device.kind} ${device.id}.\n` +
          `  MQTT username and client id: ${device.id}\n` +
          `  MQTT password (secret, shown once): ${secret}\n${trustLines(broker)}`,
      );
    });
  });
}

/** `linli device list|rotate|disable|enable|delete`. */
export function deviceCommand(): Command {
  const cmd = new Command('device').description('list devices, rotate a secret, disable, enable or delete a device');
  cmd.addCommand(
    withDataOptions(new Command('list').description('list provisioned devices')).action(async (opts: CommonOptions) => {
      await withStore(opts, (store) => {
        const items = store.devices.list().map((d) => {
          const h = store.health.getSnapshot(d.id);
          return {
            id: d.id,
            kind: d.kind,
            name: d.name,
            disabled: d.disabled,
            status: h?.status ?? 'unknown',
            lastSeenAt: d.lastSeenAt,
          };
        });
        print(
          opts,
          { items },
          items
            .map((d) => `${d.id.padEnd(16)} ${d.kind.padEnd(16)} ${d.disabled ? 'DISABLED' : d.status}`)
            .join('\n') || '(no devices)',
        );
      });
    }),
  );
  cmd.addCommand(
    withDataOptions(
      new Command('rotate').description('issue a new secret; the old one stops working').argument('<id>'),
    ).action(async (id: string, opts: CommonOptions) => {
      await withStore(opts, async (store) => {
        const { device, secret } = await new DeviceService(
          store.devices,
          new ImmediateWriter(store.db),
          systemClock,
          silentLogger(),
        ).rotateSecret(id);
        print(
          opts,
          { id: device.id, kind: device.kind, secret },
          `New secret for ${device.id} (shown once): ${secret}\n${RUNNING_NOTE}`,
        );
      });
    }),
  );
  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    cmd.addCommand(
      withDataOptions(
        new Command(name)
          .description(disabled ? 'refuse the device from now on' : 'allow a disabled device again')
          .argument('<id>'),
      ).action(async (id: string, opts: CommonOptions) => {
        await withStore(opts, async (store) => {
          const d = await new DeviceService(
            store.devices,
            new ImmediateWriter(store.db),
            systemClock,
            silentLogger(),
          ).setDisabled(id, disabled);
          print(
            opts,
            { id: d.id, disabled: d.disabled },
            `${d.id} ${disabled ? 'disabled' : 'enabled'}.${disabled ? ` ${RUNNING_NOTE}` : ''}`,
          );
        });
      }),
    );
  }
  cmd.addCommand(
    withDataOptions(
      new Command('delete')
        .description(
          'delete a device: its record, secret and health history go; its redemptions and parcels stay as history',
        )
        .argument('<id>')
        .option('-y, --yes', 'confirm: the device cannot connect again until provisioned anew'),
    ).action(async (id: string, opts: CommonOptions & { yes?: boolean }) => {
      await withStore(opts, async (store) => {
        const svc = new DeviceService(store.devices, new ImmediateWriter(store.db), systemClock, silentLogger());
        const d = svc.get(id);
        if (!opts.yes)
          throw new UserError(
            `this deletes ${d.kind} ${d.id} and its health history (its redemptions and parcels stay); ` +
              'nothing was changed',
            `confirm with: linli device delete ${d.id} --yes`,
            2,
          );
        await svc.remove(id);
        print(
          opts,
          { id: d.id, kind: d.kind, deleted: true },
          `${d.id} deleted. ` +
            RUNNING_NOTE.replace('disconnects the device', 'disconnects it and clears its retained state'),
        );
      });
    }),
  );
  return cmd;
}

/** `linli token create|list|revoke`. */
export function tokenCommand(): Command {
  const cmd = new Command('token').description('staff API tokens (roles: viewer, operator, admin)');
  cmd.addCommand(
    withDataOptions(
      new Command('create')
        .description('create a staff API token (shown once)')
        .requiredOption('-r, --role <role>', 'viewer | operator | admin')
        .option('-l, --label <label>', 'who or what the token is for')
        .option('-m, --merchant <id>', "a shop's token: only that shop's redemptions (viewer or operator)")
        .option('--link', 'print a one-time sign-in link for the console instead (valid 15 min, first use only)'),
    ).action(async (opts: CommonOptions & { role: string; label?: string; merchant?: string; link?: boolean }) => {
      const role = StaffRoleSchema.parse(opts.role);
      await withStore(opts, async (store, config) => {
        const tokens = new StaffTokens(store.tokens, new ImmediateWriter(store.db), systemClock);
        if (opts.link) {
          const l = await tokens.createLink(role, opts.label ?? null, opts.merchant ?? null);
          const host = ['0.0.0.0', '::'].includes(config.http.host) ? '127.0.0.1' : config.http.host;
          const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}/#/login/${l.code}`;
          print(
            opts,
            { url, role, merchantId: opts.merchant ?? null, expiresAt: new Date(l.expiresAt).toISOString() },
            `One-time sign-in link (${role}${opts.merchant ? `, shop ${opts.merchant}` : ''}), ` +
              `valid until ${new Date(l.expiresAt).toISOString()}, for the first browser that opens it:\n  ${url}`,
          );
          return;
        }
        const t = await tokens.create(role, opts.label ?? null, opts.merchant ?? null);
        print(
          opts,
          t,
          `Token ${t.id} (${t.role}${t.merchantId ? `, shop ${t.merchantId}` : ''}), shown once:\n` +
            `  ${t.token}\n` +
            `Use it as: Authorization: Bearer ${t.token}`,
        );
      });
    }),
  );
  cmd.addCommand(
    withDataOptions(new Command('list').description('list tokens (never the tokens themselves)')).action(
      async (opts: CommonOptions) => {
        await withStore(opts, (store) => {
          const items = new StaffTokens(store.tokens, new ImmediateWriter(store.db), systemClock).list();
          print(
            opts,
            { items },
            items
              .map((t) => `${t.id} ${t.role.padEnd(8)} ${t.revokedAt ? 'revoked' : 'active '} ${t.label ?? ''}`)
              .join('\n') || '(no tokens)',
          );
        });
      },
    ),
  );
  cmd.addCommand(
    withDataOptions(new Command('revoke').description('revoke a token').argument('<id>')).action(
      async (id: string, opts: CommonOptions) => {
        await withStore(opts, async (store) => {
          const ok = await new StaffTokens(store.tokens, new ImmediateWriter(store.db), systemClock).revoke(id);
          if (!ok)
            throw new UserError(
              `no active token "${id}"`,
              'see the tokens and their ids with `linli token list --data DIR`',
            );
          print(opts, { id, revoked: true }, `${id} revoked`);
        });
      },
    ),
  );
  return cmd;
}
