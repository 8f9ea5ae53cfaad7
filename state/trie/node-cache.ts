// A bounded LRU of trie node encodings in front of the database. Bounded both by entry count and by
// bytes, because branch nodes are ~17x larger than leaves and a count alone would not bound memory.
import type { TrieNodeSource } from "./node-source.ts";
import { nodeKey } from "./node-source.ts";

export interface NodeCacheLimits {
  maxEntries: number;
  maxBytes: number;
}

export const DEFAULT_NODE_CACHE_LIMITS: NodeCacheLimits = {
  maxEntries: 100_000,
  maxBytes: 64 * 1024 * 1024,
};

export class NodeCache {
  readonly #limits: NodeCacheLimits;
  // Map iteration order is insertion order: re-inserting on hit makes the first key the LRU one.
  readonly #entries = new Map<string, Uint8Array>();
  #bytes = 0;

  constructor(limits: Partial<NodeCacheLimits> = {}) {
    this.#limits = { ...DEFAULT_NODE_CACHE_LIMITS, ...limits };
  }

  get(key: string): Uint8Array | undefined {
    const v = this.#entries.get(key);
    if (v !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: Uint8Array): void {
    this.delete(key);
    if (value.length > this.#limits.maxBytes) return;
    this.#entries.set(key, value);
    this.#bytes += value.length;
    while (this.#entries.size > this.#limits.maxEntries || this.#bytes > this.#limits.maxBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: string): void {
    const v = this.#entries.get(key);
    if (v === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= v.length;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}

/** A source that consults the cache first and remembers what the base returned. */
export function cachedNodeSource(base: TrieNodeSource, cache: NodeCache): TrieNodeSource {
  return {
    getNode(hash) {
      const key = nodeKey(hash);
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const node = base.getNode(hash);
      if (node !== undefined) cache.set(key, node);
      return node;
    },
  };
}
