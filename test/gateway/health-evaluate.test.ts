import { describe, expect, it } from 'vitest';
import { evaluateHealth, sameVerdict, type HealthInput } from '../../gateway/health/evaluate.ts';

const base: HealthInput = {
  presence: 'online',
  disabled: false,
  faults: [],
  warnings: [],
  kindFindings: [],
  openFor: new Map(),
  doorOpenAlertS: 120,
  flapping: undefined,
};

describe('evaluateHealth', () => {
  const cases: { name: string; input: Partial<HealthInput>; status: string; codes: string[] }[] = [
    { name: 'healthy', input: {}, status: 'ok', codes: [] },
    {
      name: 'disabled wins over everything',
      input: { disabled: true, faults: ['E1'] },
      status: 'offline',
      codes: ['DISABLED'],
    },
    { name: 'never connected', input: { presence: 'never_seen' }, status: 'unknown', codes: ['NEVER_CONNECTED'] },
    {
      name: 'offline with reason',
      input: { presence: 'offline', offline: { code: 'HEARTBEAT_TIMEOUT', message: 'x' } },
      status: 'offline',
      codes: ['HEARTBEAT_TIMEOUT'],
    },
    { name: 'device fault', input: { faults: ['E_COIN_JAM'] }, status: 'fault', codes: ['DEVICE_FAULT:E_COIN_JAM'] },
    { name: 'device warning', input: { warnings: ['W_PAPER'] }, status: 'degraded', codes: ['DEVICE_WARNING:W_PAPER'] },
    {
      name: 'fault and warning both listed, fault first',
      input: { faults: ['F'], warnings: ['W'] },
      status: 'fault',
      codes: ['DEVICE_FAULT:F', 'DEVICE_WARNING:W'],
    },
    {
      name: 'kind finding degraded',
      input: { kindFindings: [{ severity: 'degraded', code: 'TOO_WARM', message: 'warm' }] },
      status: 'degraded',
      codes: ['TOO_WARM'],
    },
    {
      name: 'kind finding fault',
      input: { kindFindings: [{ severity: 'fault', code: 'TAMPER', message: 't' }] },
      status: 'fault',
      codes: ['TAMPER'],
    },
    {
      name: 'door open shorter than the limit',
      input: { openFor: new Map([['door main', 119]]) },
      status: 'ok',
      codes: [],
    },
    {
      name: 'door left open',
      input: { openFor: new Map([['door main', 120]]) },
      status: 'degraded',
      codes: ['DOOR_LEFT_OPEN'],
    },
    {
      name: 'flapping',
      input: { flapping: { disconnects: 6, windowS: 600 } },
      status: 'degraded',
      codes: ['FLAPPING'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = evaluateHealth({ ...base, ...c.input });
      expect(v.status).toBe(c.status);
      expect(v.reasons.map((r) => r.code)).toEqual(c.codes);
      for (const r of v.reasons) expect(r.message.length).toBeGreaterThan(0);
    });
  }

  it('says how long a door has been open in words', () => {
    const v = evaluateHealth({ ...base, openFor: new Map([['compartment 7', 600]]) });
    expect(v.reasons[0]?.message).toBe('compartment 7 has been open for 10 min');
  });

  it('sameVerdict compares status and codes, not wording', () => {
    expect(sameVerdict({ status: 'ok', reasons: [] }, { status: 'ok', reasons: [] })).toBe(true);
    expect(
      sameVerdict(
        { status: 'degraded', reasons: [{ code: 'A', message: '1' }] },
        { status: 'degraded', reasons: [{ code: 'A', message: '2' }] },
      ),
    ).toBe(true);
    expect(
      sameVerdict({ status: 'ok', reasons: [] }, { status: 'degraded', reasons: [{ code: 'A', message: '' }] }),
    ).toBe(false);
  });
});
