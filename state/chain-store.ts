// The chain database: blocks, the canonical index, finality, and the state tries, with pruning.
//
// Crash safety: every event (genesis, a block import, a finalization) is exactly one LevelDB batch,
// and in-memory pointers change only after the batch has landed. A process killed at any moment
// therefore reopens at the last fully imported block, with its state complete.
//
// Pruning invariant (mode {keep: N}): a trie node's reference count equals the number of its
// occurrences in the state of canonical block P = prunedThrough, plus its occurrences in the
// `inserted` lists of every later live block. Every node of every state from P onward is therefore
// counted, and a node with a positive count has its whole subtree stored. Finalizing F moves
// P up to F − N (counting down `removed` of the blocks passed) and discards dead forks (counting
// down their `inserted`), so storage tracks the window, not the history.
import { bytesEqual } from "../primitives/bytes.ts";
import { StateError } from "./errors.ts";
import { Kv, type KvOp } from "./kv.ts";
import { SCHEMA_VERSION } from "./store/buckets.ts";
import { type ChainRepositories, chainRepositories } from "./store/chain-repositories.ts";
import type { BlockMeta, PruningMode } from "./store/codecs.ts";
import { planPruning } from "./store/pruning.ts";
import { RefDeltas } from "./store/trie-node-store.ts";
import type { NodeCacheLimits } from "./trie/node-cache.ts";
import { EMPTY_ROOT } from "./trie/node-codec.ts";
import { nodeKey, type TrieNodeSource, withPendingNodes } from "./trie/node-source.ts";
import { type TrieState, trieState } from "./trie-state.ts";
import type { BlockCommit, TrieUpdate } from "./types.ts";

export type { BlockMeta, PruningMode };

export const DEFAULT_PRUNING: PruningMode = { keep: 256 };

export type StoreLocation = { path: string } | { memory: true };

export interface ChainStoreOptions {
  /** Omitted: the mode stored at creation (or the default for a new database). */
  pruning?: PruningMode;
  /** The chain this node runs; a database holding another genesis is refused. */
  genesisHash?: Uint8Array;
  nodeCache?: Partial<NodeCacheLimits>;
  /** fsync every batch: survives power loss, not only process death. */
  syncWrites?: boolean;
}

export interface BlockRef {
  hash: Uint8Array;
  number: number;
}

export interface GenesisCommit {
  hash: Uint8Array;
  header: Uint8Array;
  body: Uint8Array;
  stateRoot: Uint8Array;
  trie: TrieUpdate;
}

const ZERO_HASH = new Uint8Array(32);

function sameMode(a: PruningMode, b: PruningMode): boolean {
  return (a === "archive") === (b === "archive");
}

export class ChainStore {
  readonly #kv: Kv;
  readonly #repos: ChainRepositories;
  readonly #pruning: PruningMode;
  readonly #sync: boolean;
  #genesis: Uint8Array | undefined;
  #best: BlockRef | undefined;
  #finalized: BlockRef | undefined;
  #prunedThrough: number;
  // Writes read reference counts and pointers before batching, so they must not interleave.
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(
    kv: Kv,
    repos: ChainRepositories,
    pruning: PruningMode,
    options: ChainStoreOptions,
  ) {
    this.#kv = kv;
    this.#repos = repos;
    this.#pruning = pruning;
    this.#sync = options.syncWrites ?? false;
    this.#genesis = repos.meta.genesisHash();
    this.#prunedThrough = repos.meta.prunedThrough() ?? 0;
    const best = repos.meta.best();
    const finalized = repos.meta.finalized();
    this.#best = best === undefined ? undefined : this.#ref(best);
    this.#finalized = finalized === undefined ? undefined : this.#ref(finalized);
  }

  static async open(location: StoreLocation, options: ChainStoreOptions = {}): Promise<ChainStore> {
    const kv = "path" in location ? await Kv.openDisk(location.path) : await Kv.openMemory();
    try {
      return await ChainStore.#init(kv, options);
    } catch (err) {
      await kv.close();
      throw err;
    }
  }

  static async #init(kv: Kv, options: ChainStoreOptions): Promise<ChainStore> {
    const repos = chainRepositories(kv, options.nodeCache);
    const ops: KvOp[] = [];
    const version = repos.meta.schemaVersion();
    if (version === undefined) ops.push(repos.meta.putSchemaVersion(SCHEMA_VERSION));
    else if (version !== SCHEMA_VERSION) {
      throw new StateError(
        "SCHEMA_MISMATCH",
        `database format ${version} is not the supported format ${SCHEMA_VERSION}`,
      );
    }
    const stored = repos.meta.pruningMode();
    const wanted = options.pruning ?? stored ?? DEFAULT_PRUNING;
    if (stored !== undefined && !sameMode(stored, wanted)) {
      throw new StateError(
        "PRUNING_MODE_MISMATCH",
        `database was created with state pruning ${describe(stored)}; it cannot be opened with ${describe(wanted)}`,
      );
    }
    if (wanted !== "archive" && (!Number.isSafeInteger(wanted.keep) || wanted.keep < 0)) {
      throw new StateError("INVALID_PRUNING", "state pruning must keep a non-negative integer");
    }
    if (stored === undefined || describe(stored) !== describe(wanted)) {
      ops.push(repos.meta.putPruningMode(wanted));
    }
    const genesis = repos.meta.genesisHash();
    if (genesis && options.genesisHash && !bytesEqual(genesis, options.genesisHash)) {
      throw new StateError(
        "GENESIS_MISMATCH",
        `database belongs to the chain with genesis ${nodeKey(genesis)}, not ${nodeKey(options.genesisHash)}`,
      );
    }
    await kv.batch(ops, { sync: true });
    return new ChainStore(kv, repos, wanted, options);
  }

  async close(): Promise<void> {
    await this.#writes.catch(() => {});
    if (this.#kv.isOpen) await this.#kv.close();
  }

  get pruning(): PruningMode {
    return this.#pruning;
  }

  /** Trie nodes as stored (cached); for building updates and for tooling. */
  get nodeSource(): TrieNodeSource {
    return this.#repos.trieNodes;
  }

  // ---- reads (all synchronous) ----

  genesisHash(): Uint8Array | undefined {
    return this.#genesis;
  }

  best(): BlockRef {
    return this.#best ?? this.#noGenesis();
  }

  finalized(): BlockRef {
    return this.#finalized ?? this.#noGenesis();
  }

  getHeader(hash: Uint8Array): Uint8Array | undefined {
    return this.#repos.headers.get(hash);
  }

  getBody(hash: Uint8Array): Uint8Array | undefined {
    return this.#repos.bodies.get(hash);
  }

  getJustification(hash: Uint8Array): Uint8Array | undefined {
    return this.#repos.justifications.get(hash);
  }

  getBlockMeta(hash: Uint8Array): BlockMeta | undefined {
    return this.#repos.blockMeta.get(hash);
  }

  getBlockNumber(hash: Uint8Array): number | undefined {
    return this.getBlockMeta(hash)?.number;
  }

  getCanonicalHash(number: number): Uint8Array | undefined {
    return this.#repos.canonical.get(number);
  }

  hasState(stateRoot: Uint8Array): boolean {
    return bytesEqual(stateRoot, EMPTY_ROOT) || this.#repos.trieNodes.has(stateRoot);
  }

  /** The state at a root; STATE_DISCARDED if pruned (or never stored). */
  stateAt(stateRoot: Uint8Array): TrieState {
    if (!this.hasState(stateRoot)) {
      throw new StateError("STATE_DISCARDED", `state ${nodeKey(stateRoot)} is not available`);
    }
    return trieState(this.#repos.trieNodes, stateRoot);
  }

  stateAtBlock(hash: Uint8Array): TrieState {
    const meta = this.getBlockMeta(hash);
    if (meta === undefined) throw new StateError("UNKNOWN_BLOCK", `unknown block ${nodeKey(hash)}`);
    if (!this.hasState(meta.stateRoot)) {
      throw new StateError(
        "STATE_DISCARDED",
        `state of block #${meta.number} (${nodeKey(hash)}) was discarded by pruning`,
      );
    }
    return trieState(this.#repos.trieNodes, meta.stateRoot);
  }

  /** The state an uncommitted update produces (its nodes in front of the stored ones). */
  stateAfter(update: TrieUpdate): TrieState {
    return trieState(withPendingNodes(this.#repos.trieNodes, update.inserted), update.root);
  }

  /** Number of stored trie nodes (scans; for tests and metrics). */
  countTrieNodes(): Promise<number> {
    return this.#repos.trieNodes.count();
  }

  // ---- writes (each one atomic batch, serialized) ----

  commitGenesis(genesis: GenesisCommit): Promise<void> {
    return this.#serialize(async () => {
      if (this.#genesis !== undefined) {
        if (bytesEqual(this.#genesis, genesis.hash)) return;
        throw new StateError(
          "GENESIS_MISMATCH",
          `database already holds genesis ${nodeKey(this.#genesis)}`,
        );
      }
      const ops = this.#blockOps(
        { ...genesis, parentHash: ZERO_HASH, number: 0, setBest: true },
        null,
      );
      const ref = { hash: genesis.hash, number: 0 };
      ops.push(
        this.#repos.canonical.put(0, genesis.hash),
        this.#repos.meta.putGenesisHash(genesis.hash),
        this.#repos.meta.putBest(genesis.hash),
        this.#repos.meta.putFinalized(genesis.hash),
        this.#repos.meta.putPrunedThrough(0),
      );
      await this.#kv.batch(ops, { sync: this.#sync });
      this.#repos.trieNodes.afterWrite(genesis.trie.inserted, []);
      this.#genesis = genesis.hash;
      this.#best = ref;
      this.#finalized = ref;
      this.#prunedThrough = 0;
    });
  }

  /**
   * Stores an imported block, its trie nodes and (if `setBest`) the new canonical chain in one
   * batch. Re-committing a known block is a no-op.
   */
  commitBlock(commit: BlockCommit): Promise<void> {
    return this.#serialize(async () => {
      const finalized = this.finalized();
      if (this.#repos.blockMeta.has(commit.hash)) return;
      const parent = this.getBlockMeta(commit.parentHash);
      if (parent === undefined) {
        throw new StateError("UNKNOWN_PARENT", `parent ${nodeKey(commit.parentHash)} not stored`);
      }
      if (commit.number !== parent.number + 1) {
        throw new StateError(
          "INVALID_BLOCK_NUMBER",
          `block #${commit.number} after #${parent.number}`,
        );
      }
      if (commit.number <= finalized.number) {
        throw new StateError(
          "BELOW_FINALIZED",
          `block #${commit.number} is at or below finalized #${finalized.number}`,
        );
      }
      const ops = this.#blockOps(commit, parent);
      let best = this.#best;
      if (commit.setBest) {
        const ref = { hash: commit.hash, number: commit.number };
        // The block's own meta is still in `ops`, so its parent is supplied.
        const known = new Map([[commit.number - 1, commit.parentHash]]);
        ops.push(...this.#canonicalOps(ref, known), this.#repos.meta.putBest(commit.hash));
        best = ref;
      }
      await this.#kv.batch(ops, { sync: this.#sync });
      this.#repos.trieNodes.afterWrite(commit.trie.inserted, []);
      this.#best = best;
    });
  }

  /**
   * Finalizes `hash` (and its ancestors), storing the justification, and prunes: one batch.
   * If the block is not on the best chain, the best chain becomes the block.
   */
  finalize(hash: Uint8Array, justification?: Uint8Array): Promise<void> {
    return this.#serialize(async () => {
      const meta = this.getBlockMeta(hash);
      if (meta === undefined)
        throw new StateError("UNKNOWN_BLOCK", `unknown block ${nodeKey(hash)}`);
      const previous = this.finalized();
      const ops: KvOp[] = [];
      if (justification !== undefined)
        ops.push(this.#repos.justifications.put(hash, justification));
      if (meta.number <= previous.number) {
        const canonical = this.getCanonicalHash(meta.number);
        if (canonical === undefined || !bytesEqual(canonical, hash)) {
          throw new StateError(
            "BELOW_FINALIZED",
            `block #${meta.number} is not on the finalized chain (finalized #${previous.number})`,
          );
        }
        await this.#kv.batch(ops, { sync: this.#sync });
        return;
      }
      // The new finalized chain, down to (exclusive) the previous finalized block.
      const chain = new Map<number, Uint8Array>();
      let cursor: { hash: Uint8Array; meta: BlockMeta } = { hash, meta };
      while (cursor.meta.number > previous.number) {
        chain.set(cursor.meta.number, cursor.hash);
        const parentHash = cursor.meta.parentHash;
        const parent = this.getBlockMeta(parentHash);
        if (parent === undefined) throw new StateError("UNKNOWN_PARENT", "broken ancestry");
        cursor = { hash: parentHash, meta: parent };
      }
      if (!bytesEqual(cursor.hash, previous.hash)) {
        throw new StateError("NOT_FINALIZABLE", "block does not descend from the finalized block");
      }
      const ref = { hash, number: meta.number };
      let best = this.best();
      const onBestChain = bytesEqual(this.getCanonicalHash(meta.number) ?? ZERO_HASH, hash);
      if (!onBestChain) {
        ops.push(...this.#canonicalOps(ref, chain), this.#repos.meta.putBest(hash));
        best = ref;
      }
      let deleted: Uint8Array[] = [];
      let prunedThrough = this.#prunedThrough;
      if (this.#pruning !== "archive") {
        const plan = await planPruning(this.#repos, {
          keep: this.#pruning.keep,
          previousFinalized: previous.number,
          finalizedChain: chain,
          newFinalized: meta.number,
          prunedThrough,
        });
        ops.push(...plan.ops, this.#repos.meta.putPrunedThrough(plan.prunedThrough));
        deleted = plan.deletedNodes;
        prunedThrough = plan.prunedThrough;
      }
      ops.push(this.#repos.meta.putFinalized(hash));
      await this.#kv.batch(ops, { sync: this.#sync });
      this.#repos.trieNodes.afterWrite([], deleted);
      this.#finalized = ref;
      this.#best = best;
      this.#prunedThrough = prunedThrough;
    });
  }

  // ---- internals ----

  #blockOps(commit: BlockCommit, parent: BlockMeta | null): KvOp[] {
    if (!bytesEqual(commit.trie.root, commit.stateRoot)) {
      throw new StateError("STATE_ROOT_MISMATCH", "the trie update does not produce stateRoot");
    }
    if (parent !== null && !this.hasState(parent.stateRoot)) {
      throw new StateError("STATE_DISCARDED", "the parent's state is no longer stored");
    }
    const repos = this.#repos;
    const ops: KvOp[] = [
      repos.headers.put(commit.hash, commit.header),
      repos.bodies.put(commit.hash, commit.body),
      repos.blockMeta.put(commit.hash, {
        number: commit.number,
        parentHash: commit.parentHash,
        stateRoot: commit.stateRoot,
      }),
      repos.blockAtHeight.put({ number: commit.number, hash: commit.hash }, true),
    ];
    for (const n of commit.trie.inserted) ops.push(repos.trieNodes.putNode(n.hash, n.node));
    if (this.#pruning !== "archive") {
      const deltas = new RefDeltas();
      for (const n of commit.trie.inserted) deltas.add(n.hash, 1);
      ops.push(...repos.trieNodes.applyRefDeltas(deltas).ops);
      // Genesis has no parent state, so nothing it replaced; its journal would never be read.
      if (parent !== null) {
        ops.push(
          repos.journals.put(commit.hash, {
            inserted: commit.trie.inserted.map((n) => n.hash),
            removed: commit.trie.removed,
          }),
        );
      }
    }
    return ops;
  }

  /**
   * Rewrites the canonical index so that it ends at `tip`: entries from the fork point up, and
   * removal of entries above the tip left over from a longer previous best chain. `known` may
   * supply ancestry already walked (hash by height).
   */
  #canonicalOps(tip: BlockRef, known: Map<number, Uint8Array>): KvOp[] {
    const ops: KvOp[] = [];
    let hash = tip.hash;
    let number = tip.number;
    for (;;) {
      const current = this.getCanonicalHash(number);
      if (current !== undefined && bytesEqual(current, hash)) break;
      ops.push(this.#repos.canonical.put(number, hash));
      if (number === 0) break;
      const parent =
        known.get(number - 1) ?? this.getBlockMeta(hash)?.parentHash ?? this.#noGenesis();
      hash = parent;
      number -= 1;
    }
    const oldBest = this.#best?.number ?? 0;
    for (let n = tip.number + 1; n <= oldBest; n++) ops.push(this.#repos.canonical.del(n));
    return ops;
  }

  #ref(hash: Uint8Array): BlockRef {
    const number = this.getBlockNumber(hash);
    if (number === undefined) {
      throw new StateError("CORRUPT_DATABASE", `pointer to missing block ${nodeKey(hash)}`);
    }
    return { hash, number };
  }

  #noGenesis(): never {
    throw new StateError("NO_GENESIS", "the database holds no chain yet (commitGenesis first)");
  }

  #serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(work, work);
    this.#writes = run.catch(() => {});
    return run;
  }
}

function describe(mode: PruningMode): string {
  return mode === "archive" ? "archive" : `keep ${mode.keep}`;
}
