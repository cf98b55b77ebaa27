import type { Logger } from '../../gateway/core/log.ts';
import { GARBAGE_KINDS } from './garbage.ts';
import { pick, type Rng } from './prng.ts';
import type { SimDevice } from './sim-device.ts';

export const SCENARIOS = ['steady', 'faults', 'flapping', 'garbage', 'shopping'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const DEVICE_FAULTS: Record<string, string[]> = {
  parcel_locker: ['E_LOCK_MOTOR', 'E_KEYPAD'],
  vending_machine: ['E_COIN_JAM', 'E_DISPENSER', 'E_COMPRESSOR'],
  door_reader: ['E_READER_ANTENNA', 'E_LOCK_RELAY'],
  shop_scanner: ['E_CAMERA'],
};

/**
 * Named behaviours for a fleet, each step `intervalMs` apart, until the returned stop function is
 * called. Randomness comes from the given seeded PRNG, so a run can be repeated.
 */
export function runScenario(name: ScenarioName, devices: SimDevice[], rng: Rng, log: Logger, intervalMs = 8000, cards: readonly string[] = []): () => void {
  if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario "${name}"; choose one of: ${SCENARIOS.join(', ')}`);
  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(fn, ms);
    t.unref();
    timers.push(t);
  };
  const step = stepFor(name, devices, rng, log, later, cards);
  if (step && devices.length > 0) {
    const t = setInterval(step, intervalMs);
    t.unref();
    timers.push(t);
  }
  return () => timers.forEach((t) => clearTimeout(t));
}

function stepFor(name: ScenarioName, devices: SimDevice[], rng: Rng, log: Logger, later: (ms: number, fn: () => void) => void, cards: readonly string[]): (() => void) | undefined {
  switch (name) {
    case 'steady':
      return undefined;
    case 'flapping': {
      const victim = pick(rng, devices);
      return () => victim?.drop();
    }
    case 'garbage': {
      const victim = pick(rng, devices);
      let i = 0;
      return () => {
        const kind = GARBAGE_KINDS[i++ % GARBAGE_KINDS.length];
        if (victim && kind) void victim.sendGarbage(kind).catch(() => undefined);
      };
    }
    case 'shopping':
      // residents pay at shop scanners and buy at vending machines with their cards; one vend in ten fails
      return () => {
        const uid = pick(rng, cards);
        const sellers = devices.filter((d) => d.connected && (d.kind === 'shop_scanner' || d.kind === 'vending_machine'));
        const d = pick(rng, sellers);
        if (!uid || !d) return;
        void shop(d, uid, rng).then(
          (what) => log.info({ deviceId: d.id, what }, 'scenario: purchase'),
          (err: unknown) => log.debug({ deviceId: d.id, err }, 'scenario: purchase failed'),
        );
      };
    case 'faults':
      return () => {
        const d = pick(rng, devices);
        if (!d?.connected) return;
        const roll = rng();
        if (d.kind === 'vending_machine' && roll < 0.35) {
          log.info({ deviceId: d.id }, 'scenario: fridge warming up');
          d.setTemperature(14.5);
          later(60_000, () => d.setTemperature(5));
        } else if ((d.kind === 'parcel_locker' || d.kind === 'door_reader') && roll < 0.35) {
          log.info({ deviceId: d.id }, 'scenario: door left open');
          d.openDoor();
          later(150_000, () => d.closeDoor());
        } else if (roll < 0.7) {
          const code = pick(rng, DEVICE_FAULTS[d.kind] ?? ['E_GENERIC']);
          log.info({ deviceId: d.id, code }, 'scenario: device fault');
          d.setFault(code);
          later(45_000, () => d.clearFault(code));
        } else {
          log.info({ deviceId: d.id }, 'scenario: warning');
          d.setWarning('W_SERVICE_DUE');
          later(30_000, () => d.clearWarning('W_SERVICE_DUE'));
        }
      };
  }
}

async function shop(d: SimDevice, uid: string, rng: Rng): Promise<string> {
  const credential = { type: 'uid' as const, uid };
  if (d.kind === 'shop_scanner') {
    const r = await d.request({ op: 'redeem', credential, amountFen: 800 + Math.floor(rng() * 112) * 100 }, d.newTxn());
    return r.status === 'ok' ? `${r.decision}: ${r.display.en}` : `error ${r.code}`;
  }
  const slots = (d.model.capabilities as { slots?: { productId?: string; priceFen?: number }[] }).slots ?? [];
  const slot = pick(rng, slots.filter((s) => s.productId && s.priceFen !== undefined));
  if (!slot?.productId || slot.priceFen === undefined) return 'nothing to sell';
  const txn = d.newTxn();
  const auth = await d.request({ op: 'authorize', credential, items: [{ productId: slot.productId, unitPriceFen: slot.priceFen, qty: 1 }] }, txn);
  if (auth.status !== 'ok' || auth.decision !== 'approved') return auth.status === 'ok' ? `declined ${auth.declineCode ?? ''}` : `error ${auth.code}`;
  const failed = rng() < 0.1;
  const end = await d.request(failed ? { op: 'void', reason: 'vend_failed' } : { op: 'capture' }, txn);
  return end.status === 'ok' ? `vend ${failed ? 'failed, refunded' : 'ok'}: ${auth.display.en}` : `error ${end.code}`;
}
