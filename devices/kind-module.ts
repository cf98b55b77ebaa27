import type * as z from 'zod';
import type { FixtureSchema } from '../gateway/redemption/fixture.ts';
import type { Rng } from '../sim/src/prng.ts';
import type { KindCodes } from '../firmware-protocol/src/catalogue/text.ts';
import type { KindWire } from '../firmware-protocol/src/kinds/kind-wire.ts';
import type { KindScenarios } from '../sim/src/kinds/kind-scenarios.ts';
import type { KindModel } from '../sim/src/kinds/model.ts';
import type { KindHealth } from './adapter.ts';
import type { KindPart, KindPartPorts } from './kind-part.ts';

/**
 * Everything about one device kind, in its own folder: its wire contract, health rules, who it sells
 * for, its simulator twin and (for a kind with flows of its own) the gateway part that serves its
 * requests, events, telemetry and ticks. The registry lists the modules; nothing else names a kind.
 */
export interface KindModule<W extends KindWire = KindWire> {
  readonly wire: W;
  readonly health: KindHealth<z.output<W['capabilities']>, z.output<W['telemetry']>>;
  /** The codes the kind's folder emits (health findings, declines, refusals), with their texts, for the catalogue. */
  readonly codes: KindCodes;
  /**
   * Whom the device's purchases pay: `bound` = the merchant staff bound it to at provisioning (a shop's
   * scanner, never what it claims), `self` = the device is its own point of sale (a vending machine).
   */
  readonly pointOfSale: 'bound' | 'self';
  /** The merchant a birth claims, for a kind bound to a merchant: a mismatch is a finding, not a refusal. */
  claimedMerchant?(capabilities: unknown): string | undefined;
  /** The simulator's twin of this kind. */
  readonly sim: {
    /** Id prefix and the `--lockers N`-style option name of the demo and `linli sim`, with its help. */
    readonly prefix: string;
    readonly option: string;
    readonly describe: string;
    /** How many the demo runs unless told otherwise. */
    readonly demo: number;
    /** Its residents' use, trouble, starring scenarios, purchases and demo-opening stops in the scenarios. */
    readonly scenarios?: KindScenarios;
    /** Device fault codes the fault scenarios raise. */
    readonly faults: readonly string[];
    model(index: number): KindModel;
    /** The merchant staff bind the n-th simulated device to, for a kind sold for a bound merchant. */
    merchant?(index: number): string;
  };
  /** What the kind adds to the demo community: its offers, and who holds them. */
  readonly demo?: KindDemo;
  /** The gateway side of a kind with flows of its own (sessions, tables, commands). */
  part?(ports: KindPartPorts): KindPart;
}

type FixtureInput = z.input<typeof FixtureSchema>;

/** A kind's offers in the demo community (campaigns scoped to its products), and the benefits members hold. */
export interface KindDemo {
  readonly campaigns: NonNullable<FixtureInput['campaigns']>;
  benefits(
    memberId: string,
    rng: Rng,
    now: number,
  ): NonNullable<NonNullable<FixtureInput['members']>[number]['benefits']>;
}

/** Keeps a kind module's literal types (its wire's op and event names) for the protocol's unions. */
export function defineKind<W extends KindWire>(m: KindModule<W>): KindModule<W> {
  return m;
}
