// A block's pending writes over the state at its parent's root. Writes are buffered in layers:
// layer 0 holds the block's changes, and each storage transaction (one per extrinsic, nested for
// `with_transaction`-style calls) pushes a layer that commit merges down and rollback drops.
import { compareBytes } from "../primitives/bytes.ts";
import { StateError } from "./errors.ts";
import { nodeKey } from "./trie/node-source.ts";
import type {
  OrderedStorageReader,
  StateBackend,
  StateChange,
  Storage,
  TrieUpdate,
} from "./types.ts";

/** Substrate's TRANSACTIONAL_LIMIT: deep enough for any honest call, bounded against abuse. */
export const DEFAULT_MAX_TRANSACTION_DEPTH = 255;

type Layer = Map<string, StateChange>;

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

export class StateOverlay implements Storage, OrderedStorageReader {
  readonly #backend: StateBackend;
  readonly #maxDepth: number;
  readonly #layers: Layer[] = [new Map()];

  constructor(backend: StateBackend, options: { maxTransactionDepth?: number } = {}) {
    this.#backend = backend;
    this.#maxDepth = options.maxTransactionDepth ?? DEFAULT_MAX_TRANSACTION_DEPTH;
  }

  get backend(): StateBackend {
    return this.#backend;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const k = nodeKey(key);
    for (let i = this.#layers.length - 1; i >= 0; i--) {
      const hit = this.#layers[i]!.get(k);
      if (hit !== undefined) return hit.value ?? undefined;
    }
    return this.#backend.get(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.#write(key, value.slice());
  }

  delete(key: Uint8Array): void {
    this.#write(key, null);
  }

  #write(key: Uint8Array, value: Uint8Array | null): void {
    const k = key.slice();
    this.#layers[this.#layers.length - 1]!.set(nodeKey(k), { key: k, value });
  }

  get transactionDepth(): number {
    return this.#layers.length - 1;
  }

  startTransaction(): void {
    if (this.transactionDepth >= this.#maxDepth) {
      throw new StateError(
        "TRANSACTION_DEPTH",
        `storage transactions nested deeper than ${this.#maxDepth}`,
      );
    }
    this.#layers.push(new Map());
  }

  commitTransaction(): void {
    const top = this.#popTransaction();
    const below = this.#layers[this.#layers.length - 1]!;
    for (const [k, change] of top) below.set(k, change);
  }

  rollbackTransaction(): void {
    this.#popTransaction();
  }

  #popTransaction(): Layer {
    if (this.transactionDepth === 0) {
      throw new StateError("NO_TRANSACTION", "no storage transaction is open");
    }
    return this.#layers.pop()!;
  }

  /** The block's changes, sorted by key (deterministic). Only valid with no transaction open. */
  changes(): StateChange[] {
    if (this.transactionDepth !== 0) {
      throw new StateError(
        "TRANSACTION_OPEN",
        `${this.transactionDepth} transaction(s) still open`,
      );
    }
    return [...this.#layers[0]!.values()].sort((a, b) => compareBytes(a.key, b.key));
  }

  /** The trie update these changes make to the backing state; nothing is written. */
  update(): TrieUpdate {
    return this.#backend.applyChanges(this.changes());
  }

  /** The state root at this point (the runtime's block-end `storage_root`). */
  storageRoot(): Uint8Array {
    return this.update().root;
  }

  /**
   * Entries under `prefix` in key order as this overlay sees them: buffered writes override and
   * deletions hide the backing state. Overlay writes are snapshotted when iteration starts.
   */
  *entries(prefix: Uint8Array, startAfter?: Uint8Array): Generator<[Uint8Array, Uint8Array]> {
    const merged = new Map<string, StateChange>();
    for (const layer of this.#layers) {
      for (const [k, change] of layer) {
        if (!startsWith(change.key, prefix)) continue;
        if (startAfter !== undefined && compareBytes(change.key, startAfter) <= 0) continue;
        merged.set(k, change);
      }
    }
    const mine = [...merged.values()].sort((a, b) => compareBytes(a.key, b.key));
    const theirs = this.#backend.entries(prefix, startAfter)[Symbol.iterator]();
    let i = 0;
    let next = theirs.next();
    while (i < mine.length || !next.done) {
      const own = mine[i];
      const c = own === undefined ? 1 : next.done ? -1 : compareBytes(own.key, next.value[0]);
      if (c <= 0) {
        if (own!.value !== null) yield [own!.key, own!.value];
        i++;
        if (c === 0) next = theirs.next();
      } else {
        yield next.value as [Uint8Array, Uint8Array];
        next = theirs.next();
      }
    }
  }

  /** The first key after `key` in this view (runtime `next_key`). */
  nextKey(key: Uint8Array): Uint8Array | undefined {
    for (const [k] of this.entries(new Uint8Array(0), key)) return k;
    return undefined;
  }

  /**
   * Deletes up to `limit` keys under `prefix` (all if no limit). Returns how many were deleted and
   * whether none remain, like Substrate's `clear_prefix` cursor result.
   */
  clearPrefix(prefix: Uint8Array, limit?: number): { deleted: number; complete: boolean } {
    const doomed: Uint8Array[] = [];
    let complete = true;
    for (const [key] of this.entries(prefix)) {
      if (limit !== undefined && doomed.length >= limit) {
        complete = false;
        break;
      }
      doomed.push(key);
    }
    for (const key of doomed) this.delete(key);
    return { deleted: doomed.length, complete };
  }
}
