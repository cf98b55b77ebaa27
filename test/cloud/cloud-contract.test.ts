import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CloudLink } from '../../gateway/cloud/cloud-link.ts';
import {
  CloudBatchSchema,
  DOC_BODIES,
  STREAM_BATCHES,
  eventProblem,
  type CloudEventType,
} from '../../gateway/cloud/contract/index.ts';
import { OutboxRepo, type InvalidEvent } from '../../gateway/cloud/outbox-repo.ts';
import { RolloutService } from '../../gateway/cloud/rollouts.ts';
import { healthSummary } from '../../gateway/health/health-summary.ts';
import { CloudConfigSchema } from '../../gateway/config/schema.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { silentLogger } from '../../gateway/core/log.ts';
import type { LiveDevice } from '../../gateway/health/live-device.ts';
import { redemptionEvent } from '../../gateway/redemption/service/redemption-event.ts';
import type { RedemptionResult } from '../../gateway/redemption/service/result.ts';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import { Store } from '../../gateway/store/store.ts';

const writer = { submit: async <T>(f: () => T) => f() };

const result = (state: RedemptionResult['state']): RedemptionResult => ({
  redemptionId: 'r-1',
  txnId: 't-1',
  status: state === 'declined' ? 'declined' : 'approved',
  state,
  ...(state === 'declined' ? { declineCode: 'INSUFFICIENT_FUNDS' as const } : {}),
  subtotalFen: 1000,
  savingFen: 200,
  payableFen: 800,
  paidBy: state === 'declined' ? 'none' : 'own',
  pointsCost: 0,
  pointsEarned: 8,
  applied: [{ campaignId: 'mj-2', instanceId: 'c-1', name: { zh: '减2元', en: '2 off' }, savingFen: 200 }],
  notApplied: [{ campaignId: 'x', code: 'NOT_BEST', message: { zh: '不是最优', en: 'not the best' } }],
});

describe('the cloud contract: event bodies', () => {
  it('the redemption events the gateway builds keep the contract, each under its own type', () => {
    const where = { merchantId: 'cafe-01', deviceId: 'scanner-01', memberId: 'm-1' };
    const cases: [CloudEventType, RedemptionResult['state']][] = [
      ['redemption.held', 'held'],
      ['redemption.captured', 'captured'],
      ['redemption.declined', 'declined'],
      ['redemption.voided', 'voided'],
      ['redemption.expired', 'voided'],
      ['redemption.reversed', 'reversed'],
    ];
    for (const [type, state] of cases)
      expect(eventProblem('money', type, redemptionEvent(where, result(state), 1)), type).toBeUndefined();
    // from the staff API: no device
    const api = redemptionEvent({ ...where, deviceId: undefined }, result('captured'), 1);
    expect(eventProblem('money', 'redemption.captured', api)).toBeUndefined();
    // a state that is not the type's, a decline code outside a decline, a name (personal data) slipped in
    expect(eventProblem('money', 'redemption.captured', redemptionEvent(where, result('held'), 1))).toMatch(/state/);
    expect(
      eventProblem('money', 'redemption.captured', { ...redemptionEvent(where, result('captured'), 1), cardUid: 'x' }),
    ).toMatch(/cardUid/);
  });

  it('the telemetry summary the gateway builds keeps the contract', () => {
    const devices = [
      { kind: 'vending_machine', presence: 'online', verdict: { status: 'ok' } },
      { kind: 'vending_machine', presence: 'offline', verdict: { status: 'offline' } },
      { kind: 'door_reader', presence: 'online', verdict: { status: 'degraded' } },
    ] as unknown as LiveDevice[];
    expect(eventProblem('telemetry', 'telemetry.summary', healthSummary(devices, 3, 1))).toBeUndefined();
    expect(eventProblem('telemetry', 'telemetry.summary', healthSummary([], 0, 1))).toBeUndefined();
    expect(eventProblem('telemetry', 'telemetry.summary', { pad: 'x', i: 1 })).toBeDefined();
  });

  it('an unknown type, or a type on another stream, breaks the contract', () => {
    expect(eventProblem('money', 'money.x', {})).toMatch(/unknown event type/);
    const award = { memberId: 'm-1', points: 5, txnId: 't', reason: 'activity', at: 1 };
    expect(eventProblem('money', 'points.awarded', award)).toBeUndefined();
    expect(eventProblem('health', 'points.awarded', award)).toMatch(/belongs on stream money/);
    expect(eventProblem('money', 'points.awarded', { ...award, points: 0 })).toMatch(/points/);
  });

  it('rollout deliveries and failures reported by the rollout service keep the contract', async () => {
    const store = new Store(':memory:');
    const invalid: InvalidEvent[] = [];
    const outbox = new OutboxRepo(store.db, 'gw-t', () => 1, { onInvalid: (e) => invalid.push(e) });
    const refuse = new Set(['vm-02']);
    const rollouts = new RolloutService(store.db, {
      commands: {
        send: async (id: string) => {
          if (refuse.has(id)) throw new LinliError('COMMAND_REJECTED');
        },
      } as never,
      writer,
      clock: new ManualClock(),
      log: silentLogger(),
      outbox,
      devicesOfKind: () => ['vm-01', 'vm-02'],
      ready: () => true,
      kindOf: () => 'vending_machine',
    });
    store.db.transaction(() =>
      rollouts.add({ id: 'cny', text: '新春', kinds: ['vending_machine'], durationS: 30 }, 1),
    )();
    rollouts.tick();
    for (let i = 0; i < 50 && outbox.after('health', 0, 10).length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(
      outbox
        .after('health', 0, 10)
        .map((e) => e.kind)
        .sort(),
    ).toEqual(['rollout.delivered', 'rollout.failed']);
    expect(invalid).toEqual([]);
    store.close();
  });
});

describe('the cloud contract: batches and documents', () => {
  const event = (seq: number) => ({
    id: `gw-t:e1:money:${seq}`,
    seq,
    kind: 'points.awarded',
    at: 1,
    historical: false,
    data: { memberId: 'm-1', points: 5, txnId: `t-${seq}`, reason: 'activity', at: 1 },
  });
  const batch = { v: 1, gatewayId: 'gw-t', stream: 'money', epoch: 'e1', after: 4, dropped: 0 };

  it(
    'a batch numbers its events from after + 1 without a hole, ' + 'with ids made of gateway, epoch, stream and seq',
    () => {
      expect(STREAM_BATCHES.money.safeParse({ ...batch, events: [event(5), event(6)] }).success).toBe(true);
      expect(CloudBatchSchema.safeParse({ ...batch, events: [event(5), event(7)] }).success).toBe(false);
      expect(CloudBatchSchema.safeParse({ ...batch, events: [event(6)] }).success).toBe(false);
      expect(CloudBatchSchema.safeParse({ ...batch, events: [{ ...event(5), id: 'gw-t:money:5' }] }).success).toBe(
        false,
      );
      // a stream's batch checks every event by its type
      expect(
        STREAM_BATCHES.money.safeParse({ ...batch, events: [{ ...event(5), data: { memberId: 'm-1' } }] }).success,
      ).toBe(false);
      expect(STREAM_BATCHES.health.safeParse({ ...batch, stream: 'health', events: [event(5)] }).success).toBe(false);
    },
  );

  it('a rollout names device kinds, only kinds with a screen', () => {
    const display = (kinds: string[]) => ({ rollouts: [{ id: 'r', text: 'hi', kinds }] });
    expect(DOC_BODIES.display.safeParse(display(['vending_machine', 'parcel_locker'])).success).toBe(true);
    expect(DOC_BODIES.display.safeParse(display(['door_reader'])).success).toBe(false);
    expect(DOC_BODIES.display.safeParse(display(['toaster'])).success).toBe(false);
  });
});

describe('the outbox checks what it writes', () => {
  const setup = () => {
    const store = new Store(':memory:');
    const invalid: InvalidEvent[] = [];
    const outbox = new OutboxRepo(store.db, 'gw-t', () => 7, { onInvalid: (e) => invalid.push(e) });
    return { store, outbox, invalid };
  };

  it(
    'a valid event is stored as before; ' + 'one that breaks the contract is counted, reported and stored all the same',
    () => {
      const { store, outbox, invalid } = setup();
      const award = { memberId: 'm-1', points: 5, txnId: 't', reason: 'activity', at: 1 };
      store.db.transaction(() => {
        outbox.append('money', 'points.awarded', award);
        outbox.append('money', 'points.awarded', { ...award, points: -1 });
        outbox.append('telemetry', 'telemetry.x', { pad: 'x' });
      })();
      const stored = store.db.prepare('SELECT kind, payload, bytes FROM outbox ORDER BY rowid').all() as {
        kind: string;
        payload: string;
        bytes: number;
      }[];
      expect(stored.map((r) => r.payload)).toEqual([
        JSON.stringify(award),
        JSON.stringify({ ...award, points: -1 }),
        JSON.stringify({ pad: 'x' }),
      ]);
      expect(invalid.map((e) => e.kind)).toEqual(['points.awarded', 'telemetry.x']);
      expect(invalid[0]?.problem).toMatch(/points/);
      expect(outbox.invalidEvents()).toMatchObject({ total: 2, byKind: { 'points.awarded': 1, 'telemetry.x': 1 } });
      store.close();
    },
  );

  it('the cloud link says so in the log, once per new batch of them', () => {
    const { store, outbox } = setup();
    const lines: { msg: string; new?: number }[] = [];
    const log = pino(
      { level: 'error' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const clock = new ManualClock();
    const link = new CloudLink({
      config: CloudConfigSchema.parse({ enabled: true, signingKeys: [{ kid: 'k', publicKey: 'A'.repeat(43) }] }),
      gatewayId: 'gw-t',
      bootId: 'b',
      outbox,
      writer,
      clock,
      log,
    });
    const pump = () => (link as unknown as { pump(): void }).pump();
    store.db.transaction(() => outbox.append('money', 'money.x', {}))();
    pump();
    pump();
    clock.advance(6000);
    pump();
    expect(lines.filter((l) => /break the cloud contract/.test(l.msg))).toHaveLength(1);
    store.db.transaction(() => outbox.append('money', 'money.x', {}))();
    clock.advance(6000);
    pump();
    expect(lines.filter((l) => /break the cloud contract/.test(l.msg)).map((l) => l.new)).toEqual([1, 1]);
    store.close();
  });
});
