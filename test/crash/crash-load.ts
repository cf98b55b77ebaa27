import type { ResponseBody } from '../../firmware-protocol/src/messages/response.ts';
import { pick, seededRng, type Rng } from '../../sim/src/prng.ts';
import { cardOf, MEMBERS } from './crash-fixture.ts';
import type { ResendingDevice } from './resending-device.ts';

const approved = (b: ResponseBody) => b.status === 'ok' && b.decision === 'approved';

/**
 * Drives devices as fast as the gateway answers, each one operation at a time as a terminal does: scanners
 * redeem bills (stored value, punch-card uses, points earned and exchanged) and now and then reverse their
 * last one; vending machines run whole MDB sessions [FWP-11.4]. `stop` lets every flow in progress finish.
 */
export class CrashLoad {
  private stopping = false;
  private loops: Promise<void>[] = [];
  private t = 0;

  constructor(
    private readonly seed: number,
    private readonly scanners: readonly ResendingDevice[],
    private readonly machines: readonly ResendingDevice[],
  ) {}

  start(): void {
    this.loops = [
      ...this.scanners.map((d, i) => this.loop(seededRng(this.seed + i), (r) => this.scan(d, r))),
      ...this.machines.map((d, i) => this.loop(seededRng(this.seed + 100 + i), (r) => this.vend(d, r))),
    ];
  }

  /** Resolves when every device has finished its flow in progress (all its requests answered). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private async loop(rng: Rng, flow: (rng: Rng) => Promise<void>): Promise<void> {
    while (!this.stopping) await flow(rng);
  }

  private txn(d: ResendingDevice): string {
    return `${d.id}-t-${++this.t}`;
  }

  private readonly lastApproved = new Map<string, string>();

  private async scan(d: ResendingDevice, rng: Rng): Promise<void> {
    const last = this.lastApproved.get(d.id);
    if (last && rng() < 0.1) {
      this.lastApproved.delete(d.id);
      await d.request(this.txn(d), { op: 'reverse', redemptionId: last });
      return;
    }
    const credential = { type: 'uid', uid: cardOf(Math.floor(rng() * MEMBERS)) };
    const eggs = rng() < 0.25;
    const body = eggs
      ? { op: 'redeem', credential, amountFen: 1600, items: [{ productId: 'eggs-6', unitPriceFen: 800, qty: 2 }] }
      : { op: 'redeem', credential, amountFen: 100 + Math.floor(rng() * 3000) };
    const r = await d.request(this.txn(d), body);
    if (approved(r) && r.status === 'ok' && r.redemptionId) this.lastApproved.set(d.id, r.redemptionId);
  }

  private async vend(d: ResendingDevice, rng: Rng): Promise<void> {
    const credential = { type: 'uid', uid: cardOf(Math.floor(rng() * MEMBERS)) };
    const session = this.txn(d);
    const begin = await d.request(session, { op: 'vend_begin', credential });
    if (!approved(begin)) return;
    const item = pick(rng, [
      { slot: 'A1', productId: 'milk', priceFen: 450 },
      { slot: 'B1', productId: 'cola', priceFen: 350 },
    ]);
    const vend = this.txn(d);
    const held = await d.request(vend, { op: 'vend_request', session, item });
    if (approved(held)) {
      const success = rng() < 0.8;
      await d.request(vend, { op: 'vend_result', success, ...(success ? {} : { reason: 'E_MOTOR' }) });
    }
    await d.request(session, { op: 'vend_end', reason: approved(held) ? 'complete' : 'cancel' });
  }
}
