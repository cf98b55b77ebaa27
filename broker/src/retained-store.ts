import { Readable } from 'node:stream';
import aedesPersistence from 'aedes-persistence';

/** A retained PUBLISH as aedes stores it (its own fields besides these are kept as they are). */
interface Packet {
  readonly topic: string;
  readonly payload: Buffer | string;
}

/** The part of aedes' persistence interface that keeps retained messages. */
interface RetainedPersistence {
  storeRetained(packet: Packet, cb?: (err: Error | null) => void): Promise<void> | undefined;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

interface Node {
  readonly children: Map<string, Node>;
  packet: Packet | undefined;
}

const node = (): Node => ({ children: new Map(), packet: undefined });

/**
 * Retained messages in a trie of topic levels. aedes' in-memory persistence tests every retained topic
 * against every new subscription: with a retained state topic per device, a reconnect storm of N devices
 * costs N² topic matches (most of a storm's CPU, measured: 1,000 devices → a million matches). Here a
 * subscription walks only the branches its filter names: `+` one level, `#` this level and all below,
 * the same matches as aedes' qlobber (a test compares them).
 */
export class RetainedTrie {
  private readonly root = node();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Stores a retained message; an empty payload deletes its topic's. */
  store(packet: Packet): void {
    const levels = packet.topic.split('/');
    if (packet.payload.length === 0) return this.remove(levels);
    let n = this.root;
    for (const level of levels) {
      let next = n.children.get(level);
      if (!next) {
        next = node();
        n.children.set(level, next);
      }
      n = next;
    }
    if (!n.packet) this.count += 1;
    // a copy, as aedes' own store keeps: the packet object goes on to be delivered and changed
    n.packet = { ...packet };
  }

  /** Every retained message whose topic one of `filters` matches, each once. */
  *match(filters: readonly string[]): Generator<Packet> {
    const seen = new Set<Node>();
    for (const f of filters) {
      for (const n of this.walk(this.root, f.split('/'), 0)) {
        if (n.packet && !seen.has(n)) {
          seen.add(n);
          yield n.packet;
        }
      }
    }
  }

  private *walk(n: Node, levels: readonly string[], i: number): Generator<Node> {
    if (i === levels.length) {
      yield n;
      return;
    }
    const level = levels[i] as string;
    if (level === '#') {
      // zero or more levels: this node and every node below it
      for (const d of descendants(n)) yield* this.walk(d, levels, i + 1);
      return;
    }
    if (level === '+') {
      for (const child of n.children.values()) yield* this.walk(child, levels, i + 1);
      return;
    }
    const child = n.children.get(level);
    if (child) yield* this.walk(child, levels, i + 1);
  }

  private remove(levels: readonly string[]): void {
    const path: Node[] = [this.root];
    for (const level of levels) {
      const next = path.at(-1)?.children.get(level);
      if (!next) return;
      path.push(next);
    }
    const leaf = path.at(-1) as Node;
    if (!leaf.packet) return;
    leaf.packet = undefined;
    this.count -= 1;
    // prune the branch that now leads nowhere
    for (let i = levels.length; i > 0; i--) {
      const n = path[i] as Node;
      if (n.packet || n.children.size > 0) break;
      path[i - 1]?.children.delete(levels[i - 1] as string);
    }
  }
}

function* descendants(n: Node): Generator<Node> {
  yield n;
  for (const child of n.children.values()) yield* descendants(child);
}

/**
 * aedes' in-memory persistence, with its retained messages in a RetainedTrie. Imported, not required: the
 * bundle (scripts/build.mjs) then holds the one copy that aedes uses too.
 */
export function persistenceWithRetainedTrie(): RetainedPersistence {
  // the package is CommonJS: its default export is the factory, typed here for the part we use
  const memory = aedesPersistence as unknown as () => RetainedPersistence;
  const p = memory();
  const retained = new RetainedTrie();
  // aedes awaits storeRetained (a promise); the callback form is the persistence interface's other half
  p.storeRetained = (packet, cb) => {
    retained.store(packet);
    if (!cb) return Promise.resolve();
    cb(null);
    return undefined;
  };
  p.createRetainedStream = (pattern) => Readable.from(retained.match([pattern]));
  p.createRetainedStreamCombi = (patterns) => Readable.from(retained.match(patterns));
  return p;
}
