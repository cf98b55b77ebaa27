import * as z from 'zod';
import { AckMessageSchema, CommandMessageSchema } from '../src/messages/commands.ts';
import { ErrorMessageSchema } from '../src/messages/errors.ts';
import {
  BirthMessageSchema,
  DeathMessageSchema,
  HeartbeatMessageSchema,
  TelemetryMessageSchema,
} from '../src/messages/lifecycle.ts';
import { DeviceStateSchema, GatewayStateSchema, LockerOccupancySchema } from '../src/messages/state.ts';
import { EventMessageSchema } from '../src/messages/events.ts';
import { ResponseMessageSchema } from '../src/messages/response.ts';
import { RequestMessageSchema } from '../src/messages/redemption.ts';
import { PROTOCOL_VERSION } from '../src/version.ts';

/** Every message of the protocol, with the clause that defines it. */
export const MESSAGE_SCHEMAS: Record<string, { schema: z.ZodType; title: string; clause: string }> = {
  birth: { schema: BirthMessageSchema, title: 'Birth (device → gateway, up/birth)', clause: 'FWP-8.2' },
  death: { schema: DeathMessageSchema, title: 'Death / last will (device → gateway, up/death)', clause: 'FWP-8.3' },
  heartbeat: { schema: HeartbeatMessageSchema, title: 'Heartbeat (device → gateway, up/heartbeat)', clause: 'FWP-8.4' },
  telemetry: { schema: TelemetryMessageSchema, title: 'Telemetry (device → gateway, up/telemetry)', clause: 'FWP-7.1' },
  ack: { schema: AckMessageSchema, title: 'Command acknowledgement (device → gateway, up/ack)', clause: 'FWP-9.3' },
  command: { schema: CommandMessageSchema, title: 'Command (gateway → device, down/command)', clause: 'FWP-9.1' },
  error: { schema: ErrorMessageSchema, title: 'Error (gateway → device, down/error)', clause: 'FWP-6.1' },
  request: {
    schema: RequestMessageSchema,
    title: 'Redemption request (device → gateway, up/request)',
    clause: 'FWP-11.2',
  },
  event: { schema: EventMessageSchema, title: 'Device event (device → gateway, up/event)', clause: 'FWP-11.7' },
  response: { schema: ResponseMessageSchema, title: 'Response (gateway → device, down/response)', clause: 'FWP-11.3' },
  'gateway-state': {
    schema: GatewayStateSchema,
    title: 'Gateway state (retained, linli/v1/gw/state)',
    clause: 'FWP-10.1',
  },
  'device-state': {
    schema: DeviceStateSchema,
    title: 'Device state (retained, linli/v1/dev/{id}/state)',
    clause: 'FWP-10.2',
  },
  'locker-occupancy': {
    schema: LockerOccupancySchema,
    title: 'Locker occupancy (retained, linli/v1/dev/{id}/occupancy)',
    clause: 'FWP-10.3',
  },
};

/**
 * The JSON Schema files for firmware teams, file name → content, generated from the zod schemas the
 * gateway validates with. `io: 'input'` describes what a sender may send: fields with defaults are optional.
 */
export function renderJsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, { schema, title, clause }] of Object.entries(MESSAGE_SCHEMAS)) {
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
    const doc = {
      $schema: json.$schema,
      $id: `https://linli.dev/protocol/v${PROTOCOL_VERSION.split('.')[0]}/${name}.schema.json`,
      title,
      description:
        `Linli device protocol ${PROTOCOL_VERSION}, clause ${clause} of firmware-protocol/PROTOCOL.md. ` +
        `Generated from the gateway's zod schemas by \`npm run schemas\`; do not edit.`,
      ...Object.fromEntries(Object.entries(json).filter(([k]) => k !== '$schema')),
    };
    out[`${name}.schema.json`] = `${JSON.stringify(doc, null, 2)}\n`;
  }
  return out;
}
