import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import type { KindModule } from '../../devices/kind-module.ts';
import { commandsOf, KIND_MODULES } from '../../devices/registry.ts';
import { COMMAND_SPECS, type CommandName } from '../../firmware-protocol/src/messages/commands.ts';
import { clausesOf, requestOpsOf } from '../../gateway/conformance/clauses.ts';
import { buildArgs } from '../../gateway/conformance/command-args.ts';

const LIMIT = { keepaliveLimitS: 300 };

/** A kind the registry does not have: what a device maker's new kind module would bring. */
const valveController = {
  wire: {
    kind: 'valve_controller',
    label: 'Water valve controller',
    clause: 'FWP-7.9',
    capabilities: z.object({ valves: z.array(z.object({ id: z.string().min(1).max(4) })).min(1) }),
    telemetry: z.object({}),
    events: [z.object({ event: z.literal('valve'), valve: z.string(), open: z.boolean() })],
    requests: [z.object({ op: z.literal('meter_reading'), litres: z.number() })],
    engineOps: ['lookup'],
    commands: {
      open_valve: z
        .object({ valve: z.string().min(1).max(4), seconds: z.number().int().min(1).max(60).default(5) })
        .strict(),
    },
    displays: false,
  },
} as unknown as KindModule;

describe('the clause list comes from the kind module', () => {
  it('every kind of the registry: its commands, requests, events and its own clause', () => {
    for (const m of KIND_MODULES) {
      const clauses = clausesOf(m as unknown as KindModule, LIMIT);
      const ids = clauses.map((c) => c.id);
      for (const name of commandsOf(m as unknown as KindModule)) expect(ids).toContain(`command:${name}`);
      expect(clauses.find((c) => c.id === 'birth')?.fwp).toContain(m.wire.clause);
      expect(clauses.find((c) => c.id === 'telemetry')?.fwp).toContain(m.wire.clause);
      for (const op of requestOpsOf(m as unknown as KindModule))
        expect(clauses.find((c) => c.id === 'request')?.title).toContain(op);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('a new kind gets its clauses without a change to the kit', () => {
    const clauses = clausesOf(valveController, LIMIT);
    const ids = clauses.map((c) => c.id);
    expect(ids).toContain('command:open_valve');
    expect(ids).not.toContain('command:display_message');
    expect(clauses.find((c) => c.id === 'birth')?.title).toContain('Water valve controller');
    expect(clauses.find((c) => c.id === 'request')?.title).toContain('meter_reading, lookup');
    expect(clauses.find((c) => c.id === 'events')?.title).toContain('valve, tamper');
  });
});

describe('command arguments are built from the birth', () => {
  it("names an existing thing of the device, and applies the schema's defaults", () => {
    const schema = (valveController.wire.commands as Record<string, z.ZodObject>).open_valve as z.ZodObject;
    expect(buildArgs(schema, { valves: [{ id: 'v7' }, { id: 'v8' }] })).toEqual({
      ok: true,
      args: { valve: 'v7', seconds: 5 },
    });
    const none = buildArgs(schema, { valves: [] });
    expect(none.ok).toBe(false);
    expect(none.ok ? '' : none.why).toMatch(/no "valves"/);
  });

  it('every command of every kind can be built from its simulator twin’s capabilities', () => {
    for (const m of KIND_MODULES) {
      const caps = m.sim.model(0).capabilities;
      for (const name of commandsOf(m as unknown as KindModule)) {
        const built = buildArgs(COMMAND_SPECS[name as CommandName].args, caps);
        expect(built.ok, `${m.wire.kind} ${name}: ${built.ok ? '' : built.why}`).toBe(true);
      }
    }
  });
});
