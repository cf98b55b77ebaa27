import type { RequestBody } from '../../firmware-protocol/src/messages/redemption.ts';

type RequestOp = RequestBody['op'];
export type OpBody<O extends RequestOp> = Extract<RequestBody, { op: O }>;
export type { FlowHandler, RequestingDevice } from '../../devices/kind-part.ts';
