// The state layer's public contract. Reads are synchronous (level's getSync plus bounded caches) so
// that runtime code, which must be deterministic and simple, never awaits a storage read.

/** A storage view: the runtime reads and writes through this. `undefined` means absent. */
export interface StorageReader {
  get(key: Uint8Array): Uint8Array | undefined;
}

export interface Storage extends StorageReader {
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
}

/** One state change; `value: null` deletes the key. */
export interface StateChange {
  key: Uint8Array;
  value: Uint8Array | null;
}

/** What applying a block's changes to its parent's trie produced. */
export interface TrieUpdate {
  root: Uint8Array;
  /** Trie nodes created by this update, by hash (hex key without 0x is fine internally). */
  inserted: { hash: Uint8Array; node: Uint8Array }[];
  /** Trie nodes of the parent trie that this update replaced (for pruning). */
  removed: Uint8Array[];
}

/** Everything one imported block writes, committed as one atomic batch. */
export interface BlockCommit {
  hash: Uint8Array;
  parentHash: Uint8Array;
  number: number;
  /** Encoded header and body: the state layer stores bytes and never decodes them. */
  header: Uint8Array;
  body: Uint8Array;
  stateRoot: Uint8Array;
  trie: TrieUpdate;
  /** Become the new best block (canonical index rewritten from the fork point). */
  setBest: boolean;
}

/** A storage view that can also list its entries in key order (prefix scans, `clearPrefix`). */
export interface OrderedStorageReader extends StorageReader {
  /** Entries whose key starts with `prefix`, in key order, strictly after `startAfter` if given. */
  entries(prefix: Uint8Array, startAfter?: Uint8Array): Iterable<[Uint8Array, Uint8Array]>;
}

/** A read-only state at a trie root: what a block's overlay sits on. */
export interface StateBackend extends OrderedStorageReader {
  readonly root: Uint8Array;
  /** The update these changes would make to this state; nothing is written. */
  applyChanges(changes: readonly StateChange[]): TrieUpdate;
}
