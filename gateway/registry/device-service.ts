import * as z from 'zod';
import type { WriterPort } from '../redemption/service/ports.ts';
import { adapterFor, KIND_MODULES, kindModule } from '../../devices/registry.ts';
import { DeviceIdSchema } from '../../firmware-protocol/src/kinds/device-id.ts';
import { DeviceKindSchema } from '../../firmware-protocol/src/kinds/device-kind.ts';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { generateSecret, hashDeviceSecret, isSlowHash, verifySecret } from '../security/secret-hash.ts';
import type { DeviceRecord, DeviceRepo } from '../store/device-repo.ts';

/** The kinds sold for a merchant staff bind them to (shop scanners), as people read them. */
const BOUND_KINDS = KIND_MODULES.filter((m) => m.pointOfSale === 'bound')
  .map((m) => `${m.wire.label.toLowerCase()}s`)
  .join(', ');

export const ProvisionRequestSchema = z
  .object({
    id: DeviceIdSchema,
    kind: DeviceKindSchema,
    name: z.string().min(1).max(100).optional(),
    /** For a shop scanner: the shop it redeems for. Only staff can set it; the device cannot claim another. */
    merchantId: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.:-]+$/)
      .optional(),
  })
  .strict()
  .refine((r) => kindModule(r.kind)?.pointOfSale === 'bound' || r.merchantId === undefined, {
    message: `only ${BOUND_KINDS} are bound to a merchant`,
    path: ['merchantId'],
  });
type ProvisionRequest = z.infer<typeof ProvisionRequestSchema>;

interface DeviceServiceEvents {
  /** The device's credentials changed or it was disabled: the broker must drop its connection now. */
  onRevoked(deviceId: string, why: 'disabled' | 'rotated' | 'removed'): void;
  onProvisioned(device: DeviceRecord): void;
  onChanged(device: DeviceRecord): void;
}

/**
 * Provisioning, secret rotation, enabling/disabling and deletion of devices, and the credential check the broker
 * calls on every CONNECT. Secrets are shown once and stored only as salted HMACs (see secret-hash.ts):
 * a reconnect storm of a thousand devices costs a thousand HMACs, microseconds each.
 */
export class DeviceService {
  /** Reads come from the repository; every write goes through `writer`, the process's one writer. */
  constructor(
    private readonly repo: DeviceRepo,
    private readonly writer: WriterPort,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly events: Partial<DeviceServiceEvents> = {},
  ) {}

  list(): DeviceRecord[] {
    return this.repo.list();
  }

  get(id: string): DeviceRecord {
    const d = this.repo.get(id);
    if (!d) throw new LinliError('DEVICE_NOT_FOUND', `no device "${id}" is provisioned`);
    return d;
  }

  async provision(req: ProvisionRequest): Promise<{ device: DeviceRecord; secret: string }> {
    const parsed = ProvisionRequestSchema.parse(req);
    if (this.repo.get(parsed.id)) throw new LinliError('DEVICE_EXISTS', `device "${parsed.id}" is already provisioned`);
    const secret = generateSecret();
    const secretHash = hashDeviceSecret(secret);
    await this.writer.submit(() => {
      // checked again in the writer: two provisions of one id must not both succeed
      if (this.repo.get(parsed.id))
        throw new LinliError('DEVICE_EXISTS', `device "${parsed.id}" is already provisioned`);
      this.repo.insert({
        id: parsed.id,
        kind: parsed.kind,
        name: parsed.name ?? null,
        secretHash,
        capabilities: parsed.merchantId
          ? { ...(adapterFor(parsed.kind).defaultCapabilities as object), merchantId: parsed.merchantId }
          : adapterFor(parsed.kind).defaultCapabilities,
        now: this.clock.now(),
        merchantId: parsed.merchantId ?? null,
      });
    });
    const device = this.get(parsed.id);
    this.log.info({ deviceId: device.id, kind: device.kind }, 'device provisioned');
    this.events.onProvisioned?.(device);
    return { device, secret };
  }

  async rotateSecret(id: string): Promise<{ device: DeviceRecord; secret: string }> {
    this.get(id);
    const secret = generateSecret();
    const secretHash = hashDeviceSecret(secret);
    await this.writer.submit(() => {
      this.get(id);
      this.repo.setSecret(id, secretHash, this.clock.now());
    });
    this.log.info({ deviceId: id }, 'device secret rotated; existing connection dropped');
    this.events.onRevoked?.(id, 'rotated');
    return { device: this.get(id), secret };
  }

  async setDisabled(id: string, disabled: boolean): Promise<DeviceRecord> {
    await this.writer.submit(() => {
      this.get(id);
      this.repo.setDisabled(id, disabled);
    });
    const device = this.get(id);
    this.log.info({ deviceId: id }, disabled ? 'device disabled; connection dropped' : 'device enabled');
    if (disabled) {
      this.events.onRevoked?.(id, 'disabled');
    }
    this.events.onChanged?.(device);
    return device;
  }

  /**
   * Deletes a device: its registry record and, with it (ON DELETE CASCADE), its health snapshot and
   * history. Redemptions, parcels and the access log keep its id as history. The device is kicked at
   * once and cannot connect again; its id may be provisioned anew.
   */
  async remove(id: string): Promise<DeviceRecord> {
    const device = await this.writer.submit(() => {
      const d = this.get(id);
      this.repo.remove(id);
      return d;
    });
    this.log.info({ deviceId: id, kind: device.kind }, 'device deleted; connection dropped');
    this.events.onRevoked?.(id, 'removed');
    return device;
  }

  /** The broker's credential check [FWP-2.1]. */
  async checkDevice(
    deviceId: string,
    secret: Buffer,
  ): Promise<'ok' | 'bad_credentials' | 'disabled' | 'unknown_device'> {
    const d = this.repo.get(deviceId);
    if (!d) return 'unknown_device';
    if (d.disabled) return 'disabled';
    if (!(await verifySecret(secret, d.secretHash))) return 'bad_credentials';
    if (isSlowHash(d.secretHash)) this.rehash(deviceId, d.secretHash, secret);
    return 'ok';
  }

  /** A secret stored before device secrets were kept as HMACs: the next storm needs no scrypt for it. */
  private rehash(deviceId: string, from: string, secret: Buffer): void {
    const to = hashDeviceSecret(secret);
    void this.writer
      .submit(() => this.repo.rehashSecret(deviceId, from, to))
      .catch((err: unknown) => this.log.warn({ err, deviceId }, 'could not re-hash a device secret'));
  }

  /** Inside a unit of the writer (the router submits it): what a birth says the device is. */
  recordBirth(id: string, capabilities: unknown, firmware: string): void {
    this.repo.recordBirth(id, capabilities, firmware, this.clock.now());
  }
}
