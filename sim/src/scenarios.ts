import { shopScannerWire } from '../../devices/shop-scanner/wire.ts';
import { vendingMachineWire } from '../../devices/vending-machine/wire.ts';
import { parcelLockerWire } from '../../devices/parcel-locker/wire.ts';
import { doorReaderWire } from '../../devices/door-reader/wire.ts';
import { kindModule } from '../../devices/registry.ts';
import { present } from './flows/credential.ts';
import type { Logger } from '../../gateway/core/log.ts';
import { tapDoor } from './flows/door.ts';
import { depositParcel, pickUp } from './flows/locker.ts';
import { scanAndPay } from './flows/scanner.ts';
import { vendOnce } from './flows/vending.ts';
import { GARBAGE_KINDS } from './garbage.ts';
import { pick, type Rng } from './prng.ts';
import { lateFailure, shop } from './purchases.ts';
import { presentedBy, type Residents } from './resident.ts';
import { isScenario, SCENARIOS, type ScenarioName } from './scenario-table.ts';
import type { SimDevice } from './sim-device.ts';

export { SCENARIOS, type ScenarioName } from './scenario-table.ts';
export type { Resident, Residents } from './resident.ts';

/** Each kind's own device fault codes, from its kind module. */
const faultsOf = (kind: string): readonly string[] => kindModule(kind)?.sim.faults ?? ['E_GENERIC'];
/** A kind's own resident behaviour and trouble, for kinds that bring theirs (the charging pile). */
const scenariosOf = (kind: string) => kindModule(kind)?.sim.scenarios;

/**
 * Named behaviours for a fleet, each step `intervalMs` apart, until the returned stop function is
 * called. Randomness comes from the given seeded PRNG, so a run can be repeated.
 */
export function runScenario(
  name: ScenarioName,
  devices: SimDevice[],
  rng: Rng,
  log: Logger,
  intervalMs = 8000,
  residents: Residents = { members: [] },
): () => void {
  if (!isScenario(name)) throw new Error(`unknown scenario "${name}"; choose one of: ${SCENARIOS.join(', ')}`);
  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(fn, ms);
    t.unref();
    timers.push(t);
  };
  const step = stepFor(name, devices, rng, log, later, residents);
  if (step && devices.length > 0) {
    const t = setInterval(step, intervalMs);
    t.unref();
    timers.push(t);
  }
  return () => timers.forEach((t) => clearTimeout(t));
}

/** What a double submission got: the same answer twice (as it must), or a different one (a bug to see). */
const again = (r: { first: unknown; second?: unknown }) =>
  r.second === undefined
    ? ''
    : JSON.stringify(r.second) === JSON.stringify(r.first)
      ? ' (same answer twice)'
      : ' (DIFFERENT answer!)';

function stepFor(
  name: ScenarioName,
  devices: SimDevice[],
  rng: Rng,
  log: Logger,
  later: (ms: number, fn: () => void) => void,
  residents: Residents,
): (() => void) | undefined {
  const online = (kind: SimDevice['kind']) => devices.filter((d) => d.connected && d.kind === kind);
  const report = (deviceId: string, what: string) => (r: unknown) =>
    log.info({ deviceId, what, result: r }, `scenario ${name}`);
  const failed = (deviceId: string) => (err: unknown) =>
    log.debug({ deviceId, err: err instanceof Error ? err.message : String(err) }, `scenario ${name}: no answer`);
  switch (name) {
    case 'morning-rush': {
      // 7:30 at the breakfast stall: bursts of residents paying at once, and the cashier's double taps
      const stall = () => {
        const all = online(shopScannerWire.kind);
        const breakfast = all.filter(
          (d) => (d.model.capabilities as { merchantId?: string }).merchantId === 'breakfast-01',
        );
        return breakfast.length > 0 ? breakfast : all;
      };
      return () => {
        for (let i = 0; i < 6; i++) {
          const d = pick(rng, stall());
          const who = pick(rng, residents.members);
          if (!d || !who) return;
          const twice = rng() < 0.1;
          void scanAndPay(d, presentedBy(who), 300 + Math.floor(rng() * 12) * 100, { submitTwice: twice }).then(
            (r) =>
              report(
                d.id,
                twice ? 'bill submitted twice' : 'bill',
              )(r.first.status === 'ok' ? `${r.first.decision} ${r.first.payableFen ?? ''}${again(r)}` : r.first.code),
            failed(d.id),
          );
        }
      };
    }
    case 'holiday-peak':
      // a holiday promotion: every vending machine serves a resident at every step, half of them choosing first
      return () => {
        for (const d of online(vendingMachineWire.kind)) {
          const who = pick(rng, residents.members);
          if (!who) return;
          void vendOnce(d, presentedBy(who), rng, { selectionFirst: rng() < 0.5, failRate: 0.03 }).then(
            (o) => report(d.id, 'vend')(`${o.result}: ${o.detail}`),
            failed(d.id),
          );
        }
      };
    case 'vend-failures': {
      // dispensers jam: half the vends fail and are refunded; one in four is reported only after a reconnect
      return () => {
        const d = pick(rng, online(vendingMachineWire.kind));
        const who = pick(rng, residents.members);
        if (!d || !who) return;
        if (rng() < 0.25) {
          void lateFailure(d, who, rng).then(report(d.id, 'vend failure reported after a reconnect'), failed(d.id));
          return;
        }
        void vendOnce(d, presentedBy(who), rng, { failRate: 0.5 }).then(
          (o) => report(d.id, 'vend')(`${o.result}: ${o.detail}`),
          failed(d.id),
        );
      };
    }
    case 'locker-full': {
      // the courier's big delivery day: deposits until the bank is full, then residents start picking up
      const parcels = new Map<string, string[]>(); // locker → members with parcels there
      return () => {
        for (const d of online(parcelLockerWire.kind)) {
          const member = pick(rng, residents.members);
          if (!member) return;
          const waiting = parcels.get(d.id) ?? [];
          if (waiting.length > 0 && rng() < 0.2) {
            const id = waiting.shift() as string;
            const who = residents.members.find((m) => m.id === id);
            if (who)
              void pickUp(d, { uid: presentedBy(who) }).then(
                (r) =>
                  report(d.id, 'pickup')(r.status === 'ok' ? `${r.decision} ${JSON.stringify(r.open ?? [])}` : r.code),
                failed(d.id),
              );
            continue;
          }
          void depositParcel(d, member.id, pick(rng, ['S', 'S', 'M', 'L'] as const)).then((r) => {
            if (r.status === 'ok' && r.decision === 'approved') parcels.set(d.id, [...waiting, member.id]);
            report(
              d.id,
              'deposit',
            )(
              r.status === 'ok'
                ? `${r.decision}${r.declineCode ? ` ${r.declineCode}` : ''} ${JSON.stringify(r.open ?? [])}`
                : r.code,
            );
          }, failed(d.id));
        }
      };
    }
    case 'door-left-open': {
      // a resident props the lobby door open with a parcel trolley; someone forces the side door
      return () => {
        const d = pick(rng, online(doorReaderWire.kind));
        const who = pick(rng, residents.members);
        if (!d || !who) return;
        if (rng() < 0.2) {
          const door = (d.model.capabilities as { doors?: { id: string }[] }).doors?.[0]?.id ?? 'main';
          void d
            .sendEvent({ event: 'door', door, state: 'forced' })
            .then(() => log.info({ deviceId: d.id }, 'scenario door-left-open: door forced'), failed(d.id));
          later(10_000, () => void d.sendEvent({ event: 'door', door, state: 'closed' }).catch(() => undefined));
          return;
        }
        void tapDoor(d, presentedBy(who), { holdOpen: true }).then((r) => {
          report(
            d.id,
            'tap, door held open',
          )(r.status === 'ok' ? `${r.decision}${r.declineCode ? ` ${r.declineCode}` : ''}` : r.code);
          const door = r.status === 'ok' ? r.unlock?.door : undefined;
          if (door)
            later(150_000, () => void d.sendEvent({ event: 'door', door, state: 'closed' }).catch(() => undefined));
        }, failed(d.id));
      };
    }
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
    case 'daily-life': {
      // an ordinary day: residents shop and vend, couriers deposit parcels, residents pick them up and come home
      const waiting = new Map<string, string[]>();
      return () => {
        const d = pick(
          rng,
          devices.filter((x) => x.connected),
        );
        const member = pick(rng, residents.members);
        if (!d || !member) return;
        const own = scenariosOf(d.kind)?.daily;
        if (own) void own(d, () => present(presentedBy(member)), rng).then(report(d.id, 'resident'), failed(d.id));
        else if (d.kind === doorReaderWire.kind)
          void tapDoor(d, presentedBy(member)).then(
            (r) =>
              report(
                d.id,
                'tap',
              )(r.status === 'ok' ? `${r.decision}${r.declineCode ? ` ${r.declineCode}` : ''}` : r.code),
            failed(d.id),
          );
        else if (d.kind === parcelLockerWire.kind) {
          const here = waiting.get(d.id) ?? [];
          const who =
            here.length > 3 || (here.length > 0 && rng() < 0.5)
              ? residents.members.find((m) => m.id === here.shift())
              : undefined;
          if (who)
            void pickUp(d, { uid: presentedBy(who) }).then(
              (r) =>
                report(d.id, 'pickup')(r.status === 'ok' ? `${r.decision} ${JSON.stringify(r.open ?? [])}` : r.code),
              failed(d.id),
            );
          else
            void depositParcel(d, member.id, pick(rng, ['S', 'M'] as const)).then((r) => {
              if (r.status === 'ok' && r.decision === 'approved') waiting.set(d.id, [...here, member.id]);
              report(d.id, 'deposit')(r.status === 'ok' ? `${r.decision} ${JSON.stringify(r.open ?? [])}` : r.code);
            }, failed(d.id));
        } else
          void shop(d, member, rng).then(
            (what) => log.info({ deviceId: d.id, ...what }, 'scenario: purchase'),
            (err: unknown) => log.debug({ deviceId: d.id, err }, 'scenario: purchase failed'),
          );
      };
    }
    case 'shopping':
      // residents pay at shop scanners and buy at vending machines with their cards; one vend in ten fails
      return () => {
        const who = pick(rng, residents.members);
        const sellers = devices.filter(
          (d) => d.connected && (d.kind === shopScannerWire.kind || d.kind === vendingMachineWire.kind),
        );
        const d = pick(rng, sellers);
        if (!who || !d) return;
        void shop(d, who, rng).then(
          (what) => log.info({ deviceId: d.id, ...what }, 'scenario: purchase'),
          (err: unknown) => log.debug({ deviceId: d.id, err }, 'scenario: purchase failed'),
        );
      };
    case 'faults':
      return () => {
        const d = pick(rng, devices);
        if (!d?.connected) return;
        const trouble = scenariosOf(d.kind)?.trouble?.(d, rng, later);
        if (trouble) {
          log.info({ deviceId: d.id }, `scenario: ${trouble}`);
          return;
        }
        const roll = rng();
        if (d.kind === vendingMachineWire.kind && roll < 0.35) {
          log.info({ deviceId: d.id }, 'scenario: fridge warming up');
          d.setTemperature(14.5);
          later(60_000, () => d.setTemperature(5));
        } else if ((d.kind === parcelLockerWire.kind || d.kind === doorReaderWire.kind) && roll < 0.35) {
          log.info({ deviceId: d.id }, 'scenario: door left open');
          d.openDoor();
          later(150_000, () => d.closeDoor());
        } else if (roll < 0.7) {
          const code = pick(rng, [...faultsOf(d.kind)]);
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
