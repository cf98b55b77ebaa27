import * as z from 'zod';
import { ConfigSchema } from '../../config/schema.ts';
import { MemberSchema } from '../../redemption/domain/model.ts';

/**
 * The cloud protocol's version [CLP-8.1]. The major is part of every topic (`linli-cloud/v1/...`) and is
 * the `v` of batches and documents; a minor only adds.
 */
export const CLOUD_PROTOCOL_MAJOR = 1;
export const CLOUD_PROTOCOL_MINOR = 0;
export const CLOUD_PROTOCOL_VERSION = `${CLOUD_PROTOCOL_MAJOR}.${CLOUD_PROTOCOL_MINOR}` as const;

/** [CLP-1.2] A gateway's id (`gateway.id` of its configuration): a level of every topic, part of every event id. */
export const GatewayIdSchema = ConfigSchema.shape.gateway.unwrap().shape.id.unwrap();

/** Ids the platform and its gateways share: members, merchants, campaigns, benefits, grants (the catalog's ids). */
export const IdSchema = MemberSchema.shape.id;

/** Wall time, milliseconds since the Unix epoch: the gateway's clock in events, the cloud's in acks and documents. */
export const EpochMsSchema = z.number().int().nonnegative();

/** Money in fen (1/100 yuan), never negative: a direction is in the event type, not in a sign. */
export const FenSchema = z.number().int().nonnegative();

/** A count (events, devices, attempts, bytes). */
export const CountSchema = z.number().int().nonnegative();

/**
 * A transaction id: a device's `txn` [FWP-4.3] or an API client's; `checkin:{event}:{member}` for an
 * activity check-in. Opaque to the cloud; together with the device it names one business operation.
 */
export const TxnIdSchema = z.string().min(1).max(200);

/** [CLP-3.4] A database's epoch: 12 hex digits, set once when the gateway's database is created. */
export const EpochSchema = z.string().min(1).max(32);
