import type { DeviceKind } from '../../firmware-protocol/src/kinds/device-kind.ts';
import type { RequestBody, RequestMessage, ResponseBody } from '../../firmware-protocol/src/messages/redemption.ts';

export type RequestOp = RequestBody['op'];
export type OpBody<O extends RequestOp> = Extract<RequestBody, { op: O }>;

export interface RequestingDevice {
  id: string;
  kind: DeviceKind;
  /** The merchant the device sells for: the shop staff bound a scanner to, else the device itself; null = unbound. */
  merchantId: string | null;
}

/**
 * One device flow (vending session, locker, door access): the request ops it serves and which kinds may
 * send each. Answers are coded: a thrown LinliError becomes an error response, never a crash.
 */
export interface FlowHandler {
  readonly ops: Partial<Record<RequestOp, readonly DeviceKind[]>>;
  answer(device: RequestingDevice, msg: RequestMessage): Promise<ResponseBody>;
}
