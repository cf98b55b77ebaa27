import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadInto } from '../../gateway/cli/redemption-commands.ts';
import { ManualClock } from '../../gateway/core/clock.ts';
import { FixtureSchema } from '../../gateway/redemption/fixture.ts';
import { account } from '../../gateway/redemption/service/ports.ts';
import { ask, sendEvent } from '../support/ask.ts';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.ts';
import { RawDevice } from '../support/raw-device.ts';

const FIXTURE = FixtureSchema.parse({
  members: [
    { id: 'm-1', tier: 'regular', walletFen: 0, cards: [{ type: 'uid', uid: '04A2B3C4' }] },
    { id: 'm-2', tier: 'regular', walletFen: 0, cards: [{ type: 'uid', uid: '04B0B0B0' }] },
    { id: 's-1', tier: 'staff', walletFen: 0, cards: [{ type: 'uid', uid: '04CCCCCC' }] },
  ],
});
const m1 = { type: 'uid', uid: '04A2B3C4' };
// Monday 2026-11-23 10:00 in Asia/Shanghai
const MONDAY_10 = Date.UTC(2026, 10, 23, 2, 0, 0);

describe('door reader over the broker [FWP-11.6]', () => {
  let h: Harness;
  let reader: RawDevice;
  let clock: ManualClock;
  const health = () => h.gw.monitor.get('door-01')?.verdict;

  beforeEach(async () => {
    clock = new ManualClock(MONDAY_10);
    h = await startGateway({ gateway: { timezone: 'Asia/Shanghai' } } as never, { clock });
    h.gw.store.db.transaction(() => loadInto(h.gw.store, h.dataDir, FIXTURE))();
    const secret = (await h.gw.devices.provision({ id: 'door-01', kind: 'door_reader' })).secret;
    reader = await new RawDevice('door-01', 'door_reader', secret).connect(h.mqttUrl);
    await reader.birth({ doors: [{ id: 'main', location: 'Building 3 lobby' }], readers: ['nfc', 'keypad'] }, 3600);
    await waitFor(() => h.gw.monitor.get('door-01')?.born === true, 'birth');
    expect(
      (await h.api('/api/v1/access/points/door-01/main', { method: 'PUT', body: { zone: 'building-3' } })).status,
    ).toBe(200);
    expect(
      (
        await h.api('/api/v1/access/rules/r-m1', {
          method: 'PUT',
          body: { memberId: 'm-1', zone: 'building-3', weekdays: '12345', from: '06:00', to: '23:00' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await h.api('/api/v1/access/rules/r-staff', { method: 'PUT', body: { tier: 'staff', zone: '*' } })).status,
    ).toBe(200);
  });
  afterEach(async () => {
    reader.client.end(true);
    await h.stop();
  });

  it(
    'grants by rule with the door to release, denies without one or outside hours, staff everywhere; ' +
      'every decision logged',
    async () => {
      expect(await ask(reader, 'a-1', { op: 'access', door: 'main', credential: m1 })).toMatchObject({
        decision: 'approved',
        unlock: { door: 'main', pulseMs: 3000 },
      });
      expect(await ask(reader, 'a-1', { op: 'access', door: 'main', credential: m1 })).toMatchObject({
        decision: 'approved',
      }); // a retry: same answer, logged once
      expect(
        await ask(reader, 'a-2', { op: 'access', door: 'main', credential: { type: 'uid', uid: '04B0B0B0' } }),
      ).toMatchObject({ decision: 'declined', declineCode: 'NO_ACCESS' });
      expect(
        await ask(reader, 'a-3', { op: 'access', door: 'main', credential: { type: 'uid', uid: '04CCCCCC' } }),
      ).toMatchObject({ decision: 'approved' });
      clock.advanceWall(14 * 3600_000); // Tuesday 00:00
      expect(await ask(reader, 'a-4', { op: 'access', door: 'main', credential: m1 })).toMatchObject({
        decision: 'declined',
        declineCode: 'OUTSIDE_HOURS',
      });
      expect(await ask(reader, 'a-5', { op: 'access', door: 'side', credential: m1 })).toMatchObject({
        status: 'error',
        code: 'OPERATION_NOT_ALLOWED',
      });
      const log = (await h.api('/api/v1/access/log?device=door-01')).body as {
        items: { decision: string; reason: string; subject: string | null }[];
      };
      expect(log.items.map((e) => `${e.decision}:${e.reason}`)).toEqual([
        'denied:OUTSIDE_HOURS',
        'granted:RULE:r-staff',
        'denied:NO_ACCESS',
        'granted:RULE:r-m1',
      ]);
    },
  );

  it('a hotlisted card is refused from the moment it is hotlisted, and the refusal is logged', async () => {
    expect(await ask(reader, 'h-1', { op: 'access', door: 'main', credential: m1 })).toMatchObject({
      decision: 'approved',
    });
    expect((await h.api('/api/v1/cards/hotlist', { method: 'POST', body: { credential: m1 } })).status).toBe(200);
    expect(await ask(reader, 'h-2', { op: 'access', door: 'main', credential: m1 })).toMatchObject({
      status: 'error',
      code: 'CARD_BLOCKED',
    });
    expect(await ask(reader, 'h-2', { op: 'access', door: 'main', credential: m1 })).toMatchObject({
      status: 'error',
      code: 'CARD_BLOCKED',
    });
    const log = (await h.api('/api/v1/access/log')).body as { items: { decision: string; reason: string }[] };
    expect(log.items[0]).toMatchObject({ decision: 'denied', reason: 'CARD_BLOCKED' });
  });

  it('staff list the access rules and which zone each door opens', async () => {
    const rules = (await h.api('/api/v1/access/rules')).body.items as { id: string; from: string; to: string }[];
    expect(rules.length).toBeGreaterThan(0);
    expect(rules[0]).toMatchObject({ id: expect.any(String), from: expect.stringMatching(/^\d\d:\d\d$/) });
    expect((await h.api('/api/v1/access/points')).body.items).toContainEqual({
      deviceId: expect.any(String),
      door: 'main',
      zone: expect.any(String),
    });
  });

  it('staff see the visitor codes that still open a door (never the codes) and revoke one at once', async () => {
    const made = (
      await h.api('/api/v1/access/visitor-codes', {
        method: 'POST',
        body: { zone: 'building-3', label: 'plumber', expiresAt: new Date(clock.now() + 3600_000).toISOString() },
      })
    ).body as { code: string };
    const listed = (await h.api('/api/v1/access/visitor-codes')).body.items as { id: string; label: string }[];
    const mine = listed.find((c) => c.label === 'plumber');
    expect(mine).toMatchObject({ zone: 'building-3', usesLeft: null, id: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(JSON.stringify(listed)).not.toContain(made.code);
    const viewer = (await h.gw.tokens.create('viewer')).token;
    expect((await h.api(`/api/v1/access/visitor-codes/${mine?.id}`, { method: 'DELETE', token: viewer })).status).toBe(
      403,
    );
    expect((await h.api(`/api/v1/access/visitor-codes/${mine?.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await h.api(`/api/v1/access/visitor-codes/${mine?.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(await ask(reader, 'rv-1', { op: 'access_code', door: 'main', code: made.code })).toMatchObject({
      decision: 'declined',
      declineCode: 'CODE_EXPIRED',
    });
    const after = (await h.api('/api/v1/access/visitor-codes')).body.items as { label: string }[];
    expect(after.some((c) => c.label === 'plumber')).toBe(false);
  });

  it('visitor codes: valid in their zone and time for their uses; wrong codes lock the keypad', async () => {
    const made = await h.api('/api/v1/access/visitor-codes', {
      method: 'POST',
      body: {
        zone: 'building-3',
        hostMemberId: 'm-1',
        expiresAt: new Date(MONDAY_10 + 3600_000).toISOString(),
        uses: 1,
      },
    });
    expect(made.status).toBe(201);
    const code = (made.body as { code: string }).code;
    expect(code).toMatch(/^\d{8}$/);
    const granted = await ask(reader, 'v-1', { op: 'access_code', door: 'main', code });
    expect(granted).toMatchObject({ op: 'access_code', decision: 'approved', unlock: { door: 'main' } });
    // a resend: the same answer, the code used once
    expect(await ask(reader, 'v-1', { op: 'access_code', door: 'main', code })).toEqual(granted);
    expect(await ask(reader, 'v-2', { op: 'access_code', door: 'main', code })).toMatchObject({
      decision: 'declined',
      declineCode: 'CODE_USED',
    });
    const other = (
      await h.api('/api/v1/access/visitor-codes', {
        method: 'POST',
        body: { zone: 'building-9', expiresAt: new Date(MONDAY_10 + 3600_000).toISOString() },
      })
    ).body as { code: string };
    expect(await ask(reader, 'v-3', { op: 'access_code', door: 'main', code: other.code })).toMatchObject({
      declineCode: 'NO_ACCESS',
    });
    const later = (
      await h.api('/api/v1/access/visitor-codes', {
        method: 'POST',
        body: { zone: 'building-3', expiresAt: new Date(MONDAY_10 + 1800_000).toISOString() },
      })
    ).body as { code: string };
    clock.advance(1800_000);
    expect(await ask(reader, 'v-4', { op: 'access_code', door: 'main', code: later.code })).toMatchObject({
      declineCode: 'CODE_EXPIRED',
    });
    for (let i = 0; i < 4; i++)
      expect(await ask(reader, `w-${i}`, { op: 'access_code', door: 'main', code: '12345678' })).toMatchObject({
        declineCode: 'CODE_INVALID',
      });
    expect(await ask(reader, 'w-4', { op: 'access_code', door: 'main', code: '12345678' })).toMatchObject({
      declineCode: 'KEYPAD_LOCKED',
    });
    const fresh = (
      await h.api('/api/v1/access/visitor-codes', {
        method: 'POST',
        body: { zone: 'building-3', expiresAt: new Date(clock.now() + 7200_000).toISOString() },
      })
    ).body as { code: string };
    expect(await ask(reader, 'w-5', { op: 'access_code', door: 'main', code: fresh.code })).toMatchObject({
      declineCode: 'KEYPAD_LOCKED',
    });
    expect(JSON.stringify(h.gw.store.db.prepare('SELECT * FROM visitor_codes').all())).not.toContain(code);
  });

  it('a single-use code tapped twice at once opens once; a code opens the door it was typed at', async () => {
    const code = (
      (
        await h.api('/api/v1/access/visitor-codes', {
          method: 'POST',
          body: { zone: 'building-3', expiresAt: new Date(MONDAY_10 + 3600_000).toISOString(), uses: 1 },
        })
      ).body as { code: string }
    ).code;
    const answers = await Promise.all([
      ask(reader, 'twice-1', { op: 'access_code', door: 'main', code }),
      ask(reader, 'twice-2', { op: 'access_code', door: 'main', code }),
    ]);
    expect(answers.map((a) => (a.status === 'ok' ? a.decision : a.code)).sort()).toEqual(['approved', 'declined']);
    // a second reader with two doors in two zones
    const secret = (await h.gw.devices.provision({ id: 'door-02', kind: 'door_reader' })).secret;
    const two = await new RawDevice('door-02', 'door_reader', secret).connect(h.mqttUrl);
    try {
      await two.birth({ doors: [{ id: 'lobby' }, { id: 'garage' }], readers: ['keypad'] }, 3600);
      await waitFor(() => h.gw.monitor.get('door-02')?.born === true, 'birth');
      await h.api('/api/v1/access/points/door-02/lobby', { method: 'PUT', body: { zone: 'building-3' } });
      await h.api('/api/v1/access/points/door-02/garage', { method: 'PUT', body: { zone: 'garage-b' } });
      const g = (
        (
          await h.api('/api/v1/access/visitor-codes', {
            method: 'POST',
            body: { zone: 'garage-b', expiresAt: new Date(MONDAY_10 + 3600_000).toISOString() },
          })
        ).body as { code: string }
      ).code;
      expect(await ask(two, 'g-1', { op: 'access_code', door: 'garage', code: g })).toMatchObject({
        decision: 'approved',
        unlock: { door: 'garage' },
      });
      expect(await ask(two, 'g-2', { op: 'access_code', door: 'lobby', code: g })).toMatchObject({
        decision: 'declined',
        declineCode: 'NO_ACCESS',
      });
    } finally {
      two.client.end(true);
    }
  });

  it('only an admin may issue a code for every zone, and a visitor code lasts 30 days at most', async () => {
    const operator = (await h.gw.tokens.create('operator', 'desk')).token;
    const far = new Date(MONDAY_10 + 3600_000).toISOString();
    expect(
      (
        await h.api('/api/v1/access/visitor-codes', {
          method: 'POST',
          token: operator,
          body: { zone: '*', expiresAt: far },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await h.api('/api/v1/access/visitor-codes', {
          method: 'POST',
          token: operator,
          body: { zone: 'building-3', expiresAt: far },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await h.api('/api/v1/access/visitor-codes', {
          method: 'POST',
          token: operator,
          body: { zone: 'building-3', expiresAt: '2099-01-01T00:00:00Z' },
        })
      ).status,
    ).toBe(400);
  });

  it('a reader set to an activity checks members in: points once per member and event', async () => {
    expect(
      (
        await h.api('/api/v1/access/events/ev-cleanup', {
          method: 'PUT',
          body: {
            name: '社区清洁日',
            deviceId: 'door-01',
            points: 50,
            startsAt: new Date(MONDAY_10 - 3600_000).toISOString(),
            endsAt: new Date(MONDAY_10 + 3600_000).toISOString(),
          },
        })
      ).status,
    ).toBe(200);
    expect(await ask(reader, 'c-1', { op: 'access', door: 'main', credential: m1 })).toMatchObject({
      decision: 'approved',
      pointsAwarded: 50,
    });
    expect(await ask(reader, 'c-2', { op: 'access', door: 'main', credential: m1 })).toMatchObject({
      decision: 'declined',
      declineCode: 'ALREADY_CHECKED_IN',
    });
    expect(h.gw.redemption.ledger.balance(account.points('m-1'), 'points')).toBe(50);
    clock.advance(3600_000); // the event is over: the reader is a door again
    expect(await ask(reader, 'c-3', { op: 'access', door: 'main', credential: m1 })).toMatchObject({
      unlock: { door: 'main' },
    });
  });

  it('a forced door is a fault, a door left open an alert, until closed and acknowledged', async () => {
    await sendEvent(reader, { event: 'door', door: 'main', state: 'forced' });
    await waitFor(() => health()?.status === 'fault', 'forced fault');
    clock.advance(h.gw.config.health.doorOpenAlertS * 1000);
    await h.gw.kinds.tick();
    expect(health()?.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['DOOR_FORCED', 'DOOR_LEFT_OPEN']));
    await sendEvent(reader, { event: 'door', door: 'main', state: 'closed' });
    await waitFor(() => !health()?.reasons.some((r) => r.code === 'DOOR_LEFT_OPEN'), 'closed');
    expect(
      (await h.api('/api/v1/devices/door-01/alerts/DOOR_FORCED/acknowledge?door=main', { method: 'POST' })).status,
    ).toBe(200);
    expect(health()?.status).toBe('ok');
    await sendEvent(reader, { event: 'tamper', open: true });
    await waitFor(() => health()?.reasons.some((r) => r.code === 'TAMPER') === true, 'tamper');
  });
});
