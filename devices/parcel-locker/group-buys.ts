import { LinliError } from '../../firmware-protocol/src/errors.ts';
import type { Clock } from '../../gateway/core/clock.ts';
import type { WriterPort } from '../../gateway/redemption/service/ports.ts';
import type { CatalogRepo } from '../../gateway/redemption/store/catalog-repo.ts';
import type { GroupBuy, GroupBuyRepo } from './group-buy-repo.ts';
import type { ParcelRepo } from './parcel-repo.ts';

/**
 * Group buys (社区团购, seed 002): residents join with a quantity until the closing time; the order
 * forms the moment the target quantity is reached (every buyer is told), and its goods are later
 * deposited into lockers, one compartment per buyer (see LockerFlow's group-buy deposit).
 */
export class GroupBuyService {
  constructor(
    private readonly d: {
      repo: GroupBuyRepo;
      parcels: ParcelRepo;
      catalog: CatalogRepo;
      writer: WriterPort;
      clock: Clock;
    },
  ) {}

  create(id: string, title: string, targetQty: number, closesAt?: number): Promise<GroupBuy> {
    return this.d.writer.submit(() => {
      if (this.d.repo.get(id)) throw new LinliError('VALIDATION_FAILED', `group buy ${id} exists`);
      this.d.repo.create(id, title, targetQty, closesAt, this.d.clock.now());
      return this.d.repo.get(id) as GroupBuy;
    });
  }

  /** Joins (or changes the quantity of) a member's order; forms the group buy when the target is reached. */
  join(id: string, memberId: string, qty: number): Promise<GroupBuy> {
    return this.d.writer.submit(() => {
      const now = this.d.clock.now();
      const gb = this.d.repo.get(id);
      if (!gb) throw new LinliError('NOT_FOUND', `no group buy ${id}`);
      if (gb.status !== 'forming')
        throw new LinliError('VALIDATION_FAILED', `group buy ${id} is ${gb.status}: it takes no more orders`);
      if (gb.closesAt !== undefined && now >= gb.closesAt)
        throw new LinliError('VALIDATION_FAILED', `group buy ${id} closed`);
      if (!this.d.catalog.member(memberId)) throw new LinliError('MEMBER_NOT_FOUND', `no member ${memberId}`);
      return placeOrder(this.d.repo, this.d.parcels, id, memberId, qty, now);
    });
  }

  /** Closes the group buys whose time ran out before they formed. */
  expire(): Promise<number> {
    return this.d.writer.submit(() => {
      const now = this.d.clock.now();
      let n = 0;
      for (const gb of this.d.repo.due(now)) {
        this.d.repo.setStatus(gb.id, 'cancelled');
        for (const b of gb.buyers)
          this.d.parcels.notice(b.memberId, 'group_buy_cancelled', { groupBuyId: gb.id, title: gb.title }, now);
        n++;
      }
      return n;
    });
  }
}

/** Adds or changes one buyer's order; the group buy forms the moment the target is reached (buyers told). */
export function placeOrder(
  repo: GroupBuyRepo,
  parcels: ParcelRepo,
  id: string,
  memberId: string,
  qty: number,
  now: number,
): GroupBuy {
  const before = repo.get(id);
  if (before?.status !== 'forming') return before as GroupBuy;
  repo.join(id, memberId, qty, now);
  const after = repo.get(id) as GroupBuy;
  if (after.orderedQty >= after.targetQty) {
    repo.setStatus(id, 'formed', now);
    for (const b of after.buyers)
      parcels.notice(b.memberId, 'group_buy_formed', { groupBuyId: id, title: after.title, qty: b.qty }, now);
  }
  return repo.get(id) as GroupBuy;
}

/** The buyer of a formed group buy whose goods a courier deposits next; undefined when every buyer has them. */
export function nextBuyerToServe(repo: GroupBuyRepo, orderId: string): string | undefined {
  const gb = repo.get(orderId);
  if (!gb) throw new LinliError('NOT_FOUND', `no group buy ${orderId}`);
  if (gb.status === 'delivered') return undefined;
  if (gb.status !== 'formed')
    throw new LinliError('REDEMPTION_STATE', `group buy ${orderId} is ${gb.status}, not formed`, {
      refusal: 'GROUP_BUY_NOT_FORMED',
    });
  return gb.buyers.find((x) => x.parcelId === undefined)?.memberId;
}

/** A formed group buy whose every buyer's goods are stored is delivered. */
export function markDeliveredWhenAllStored(repo: GroupBuyRepo, parcels: ParcelRepo, id: string): void {
  const gb = repo.get(id);
  const stored = (parcelId: string | undefined) =>
    parcelId !== undefined && parcels.get(parcelId)?.status !== 'depositing';
  if (gb && gb.status === 'formed' && gb.buyers.every((x) => stored(x.parcelId))) repo.setStatus(gb.id, 'delivered');
}
