// The state at one trie root, as the runtime and RPC see it: reads, ordered scans, proofs, and the
// update a set of changes would produce. A plain object over a node source; nothing to close.

import { keysPaged, trieEntries } from "./trie/iterate.ts";
import { trieGet } from "./trie/lookup.ts";
import type { TrieNodeSource } from "./trie/node-source.ts";
import { prove } from "./trie/proof.ts";
import { applyChanges } from "./trie/update.ts";
import type { StateBackend, StateChange, TrieUpdate } from "./types.ts";

export interface TrieState extends StateBackend {
  prove(keys: readonly Uint8Array[]): Uint8Array[];
  keysPaged(prefix: Uint8Array, count: number, startKey?: Uint8Array): Uint8Array[];
}

export function trieState(source: TrieNodeSource, root: Uint8Array): TrieState {
  return {
    root,
    get: (key) => trieGet(source, root, key),
    entries: (prefix, startAfter) => trieEntries(source, root, prefix, startAfter),
    applyChanges: (changes: readonly StateChange[]): TrieUpdate =>
      applyChanges(source, root, changes),
    prove: (keys) => prove(source, root, keys),
    keysPaged: (prefix, count, startKey) => keysPaged(source, root, prefix, count, startKey),
  };
}
