// Trie nodes in the database, with reference counts for pruning, behind a bounded cache. This is
// the TrieNodeSource every stored state reads through.
import { StateError } from "../errors.ts";
import type { Kv, KvOp } from "../kv.ts";
import { NodeCache, type NodeCacheLimits } from "../trie/node-cache.ts";
import { nodeKey, type TrieNodeSource } from "../trie/node-source.ts";
import { Bucket } from "./buckets.ts";
import { bytesCodec, hashCodec, u32Codec } from "./codecs.ts";
import { Repository } from "./repository.ts";

/** Net reference-count changes of one batch, per node. */
export class RefDeltas {
  readonly #deltas = new Map<string, { hash: Uint8Array; delta: number }>();

  add(hash: Uint8Array, delta: number): void {
    const k = nodeKey(hash);
    const entry = this.#deltas.get(k);
    if (entry === undefined) this.#deltas.set(k, { hash, delta });
    else entry.delta += delta;
  }

  *[Symbol.iterator](): IterableIterator<{ hash: Uint8Array; delta: number }> {
    yield* this.#deltas.values();
  }
}

export class TrieNodeStore implements TrieNodeSource {
  readonly #nodes: Repository<Uint8Array, Uint8Array>;
  readonly #refs: Repository<Uint8Array, number>;
  readonly #cache: NodeCache;

  constructor(kv: Kv, cacheLimits: Partial<NodeCacheLimits> = {}) {
    this.#nodes = new Repository(kv, Bucket.trieNode, hashCodec, bytesCodec);
    this.#refs = new Repository(kv, Bucket.trieNodeRefs, hashCodec, u32Codec);
    this.#cache = new NodeCache(cacheLimits);
  }

  getNode(hash: Uint8Array): Uint8Array | undefined {
    const key = nodeKey(hash);
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const node = this.#nodes.get(hash);
    if (node !== undefined) this.#cache.set(key, node);
    return node;
  }

  has(hash: Uint8Array): boolean {
    return this.#cache.get(nodeKey(hash)) !== undefined || this.#nodes.has(hash);
  }

  refCount(hash: Uint8Array): number {
    return this.#refs.get(hash) ?? 0;
  }

  putNode(hash: Uint8Array, node: Uint8Array): KvOp {
    return this.#nodes.put(hash, node);
  }

  /**
   * Batch ops applying `deltas` to the stored counts; a node reaching zero is deleted. Nothing is
   * returned if a count would go negative: that is a bookkeeping bug, and writing would corrupt.
   */
  applyRefDeltas(deltas: RefDeltas): { ops: KvOp[]; deleted: Uint8Array[] } {
    const ops: KvOp[] = [];
    const deleted: Uint8Array[] = [];
    for (const { hash, delta } of deltas) {
      if (delta === 0) continue;
      const next = this.refCount(hash) + delta;
      if (next < 0) {
        throw new StateError(
          "REFCOUNT_UNDERFLOW",
          `trie node ${nodeKey(hash)} would have ${next} references`,
        );
      }
      if (next === 0) {
        ops.push(this.#nodes.del(hash), this.#refs.del(hash));
        deleted.push(hash);
      } else ops.push(this.#refs.put(hash, next));
    }
    return { ops, deleted };
  }

  /** After a batch landed: keep fresh nodes hot, forget deleted ones (so pruned state is gone). */
  afterWrite(inserted: { hash: Uint8Array; node: Uint8Array }[], deleted: Uint8Array[]): void {
    for (const h of deleted) this.#cache.delete(nodeKey(h));
    for (const n of inserted) this.#cache.set(nodeKey(n.hash), n.node);
  }

  /** Stored node count (tests and metrics; scans the bucket). */
  count(): Promise<number> {
    return this.#nodes.count();
  }
}
