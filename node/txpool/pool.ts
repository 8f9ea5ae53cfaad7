// The transaction pool: admission (size, duplicates, bans, validation, replacement, limits),
// block-building order, and maintenance on block import, reorg and finality. It never decodes a
// transaction: the runtime's verdict arrives through the injected `validate`.

import { toHex } from "../../primitives/bytes.ts";
import { hash } from "../../primitives/hash.ts";
import type { Hex, RpcTransactionStatus, Unsubscribe } from "../../rpc/node-api.ts";
import { BanList } from "./ban-list.ts";
import { isInvalidTransactionError, PoolError, PoolErrorCode } from "./errors.ts";
import { type GraphEntry, TransactionGraph } from "./graph.ts";
import {
  DEFAULT_MAX_TRANSACTION_BYTES,
  DEFAULT_POOL_LIMITS,
  exceeds,
  type PoolLimits,
} from "./limits.ts";
import { bestReady } from "./ready-iterator.ts";
import type {
  BlockRef,
  ImportedBlock,
  PooledTransaction,
  PoolStatus,
  RetractedBlock,
  TransactionSource,
  ValidateTransaction,
  ValidTransaction,
} from "./types.ts";
import { type TransactionStatusListener, TransactionWatchers } from "./watchers.ts";

export interface TransactionPoolOptions {
  validate: ValidateTransaction;
  /** The best block when the pool starts; submissions validate against the best block. */
  best: BlockRef;
  limits?: PoolLimits;
  /** Larger transactions are refused before validation (POOL_TOO_LARGE). */
  maxTransactionBytes?: number;
  /** How long invalid and evicted transactions are refused; Substrate's `--tx-ban-seconds`. */
  banTimeSeconds?: number;
  /** At most this many bans are remembered; the oldest is forgotten first. */
  banListCapacity?: number;
  /** Milliseconds, for ban expiry only. */
  now?: () => number;
  /** A watched transaction whose block waits this long for finality gets `finalityTimeout`. */
  finalityTimeoutBlocks?: number;
  /** Tags of included transactions count as satisfied for this many blocks. */
  prunedTagsBlocks?: number;
}

export const DEFAULT_BAN_TIME_SECONDS = 1800;
export const DEFAULT_BAN_LIST_CAPACITY = 16_384;
export const DEFAULT_FINALITY_TIMEOUT_BLOCKS = 512;
/** Substrate keeps the tags of the last two blocks' transactions (RECENTLY_PRUNED_TAGS). */
export const DEFAULT_PRUNED_TAGS_BLOCKS = 2;

interface PendingStatus {
  hash: Hex;
  status: RpcTransactionStatus;
  blockNumber?: number;
}

export class TransactionPool {
  readonly #validate: ValidateTransaction;
  readonly #limits: PoolLimits;
  readonly #maxTransactionBytes: number;
  readonly #finalityTimeoutBlocks: number;
  readonly #prunedTagsBlocks: number;
  readonly #graph = new TransactionGraph();
  readonly #bans: BanList;
  readonly #watchers = new TransactionWatchers();
  /** Hashes being validated right now, so that a concurrent duplicate gets 1013 at once. */
  readonly #validating = new Set<Hex>();
  #best: BlockRef;
  #nextInsertion = 0;
  /** Block maintenance (import, reorg) runs one at a time, in call order. */
  #maintenance: Promise<void> = Promise.resolve();
  /** Statuses are delivered after each operation completes, so listeners see a consistent pool. */
  readonly #pending: PendingStatus[] = [];
  #delivering = false;

  constructor(options: TransactionPoolOptions) {
    this.#validate = options.validate;
    this.#best = options.best;
    this.#limits = options.limits ?? DEFAULT_POOL_LIMITS;
    this.#maxTransactionBytes = options.maxTransactionBytes ?? DEFAULT_MAX_TRANSACTION_BYTES;
    this.#finalityTimeoutBlocks = options.finalityTimeoutBlocks ?? DEFAULT_FINALITY_TIMEOUT_BLOCKS;
    this.#prunedTagsBlocks = options.prunedTagsBlocks ?? DEFAULT_PRUNED_TAGS_BLOCKS;
    this.#bans = new BanList({
      banTimeMs: (options.banTimeSeconds ?? DEFAULT_BAN_TIME_SECONDS) * 1000,
      capacity: options.banListCapacity ?? DEFAULT_BAN_LIST_CAPACITY,
      now: options.now ?? Date.now,
    });
  }

  get best(): BlockRef {
    return this.#best;
  }

  /** Validates and pools a transaction; resolves to its hash (blake2b-256 of the bytes). */
  async submit(bytes: Uint8Array, source: TransactionSource = "external"): Promise<Uint8Array> {
    return (await this.#admit(bytes, source)).hash;
  }

  /** As `submit`, and the listener receives every status from the first ("ready" or "future").
   * Nothing is delivered when the submission fails. */
  async submitAndWatch(
    bytes: Uint8Array,
    source: TransactionSource,
    listener: TransactionStatusListener,
  ): Promise<{ hash: Uint8Array; unsubscribe: Unsubscribe }> {
    const tx = await this.#admit(bytes, source, listener);
    return { hash: tx.hash, unsubscribe: tx.unsubscribe };
  }

  /** Subscribes to a transaction's statuses. A pooled transaction's current state is sent at once.
   * The caller must unsubscribe if the stream never ends (e.g. a hash that never arrives). */
  watch(txHash: Uint8Array, listener: TransactionStatusListener): Unsubscribe {
    const key = hexKey(txHash);
    const unsubscribe = this.#watchers.watch(key, listener);
    const entry = this.#graph.get(key);
    if (entry !== undefined) {
      try {
        listener(entry.state);
      } catch {
        // As for any status delivery: a failing subscriber must not break the caller.
      }
    }
    return unsubscribe;
  }

  /** Ready transactions in block-building order (dependencies first, then priority, then arrival). */
  ready(): IterableIterator<PooledTransaction> {
    return bestReady(this.#graph);
  }

  get(txHash: Uint8Array): PooledTransaction | undefined {
    return this.#graph.get(hexKey(txHash))?.tx;
  }

  has(txHash: Uint8Array): boolean {
    return this.#graph.get(hexKey(txHash)) !== undefined;
  }

  /** Whether a pooled transaction (ready or future) provides the tag; the node probes
   * (sender, nonce), (sender, nonce + 1), ... for `system_accountNextIndex`. */
  hasTag(tag: Uint8Array): boolean {
    return this.#graph.providerOf(hexKey(tag)) !== undefined;
  }

  status(): PoolStatus {
    return this.#graph.status();
  }

  isBanned(txHash: Uint8Array): boolean {
    return this.#bans.isBanned(hexKey(txHash));
  }

  /**
   * The block builder found the transaction invalid: it leaves the pool with every ready
   * transaction that depended on it, all banned with status `invalid`. Returns what was removed.
   */
  reportInvalid(txHash: Uint8Array): PooledTransaction[] {
    const entry = this.#graph.get(hexKey(txHash));
    if (entry === undefined) return [];
    const removed = this.#graph.removeWithDependents(entry);
    this.#dismiss(removed, "invalid");
    this.#queueTransitions();
    this.#deliver();
    return removed.map((e) => e.tx);
  }

  /**
   * A new best block: its transactions leave the pool (`inBlock`), transactions whose longevity
   * has run out leave as `invalid` (banned), and the rest are revalidated at the new block unless
   * `revalidate` is false. Calls are serialized; the promise settles when this block is done.
   */
  onBlockImported(block: ImportedBlock): Promise<void> {
    return this.#serially(async () => {
      const at: BlockRef = { number: block.number, hash: block.hash };
      const blockHex = hexKey(block.hash);
      this.#best = at;
      for (const txHash of block.includedHashes) {
        const key = hexKey(txHash);
        const entry = this.#graph.get(key);
        if (entry !== undefined) this.#graph.removeIncluded(entry, block.number);
        this.#pending.push({ hash: key, status: { inBlock: blockHex }, blockNumber: block.number });
      }
      this.#graph.forgetPrunedUpTo(block.number - this.#prunedTagsBlocks);
      const expired = [...this.#graph.entries()].filter(
        (e) => e.tx.validatedAt + e.tx.valid.longevity <= block.number,
      );
      for (const entry of expired) this.#graph.remove(entry);
      this.#dismiss(expired, "invalid");
      this.#queueTransitions();
      this.#bans.purgeExpired();
      this.#deliver();
      this.#watchers.expireFinality(block.number, this.#finalityTimeoutBlocks);
      if (block.revalidate !== false) await this.#revalidate(at);
    });
  }

  /**
   * A reorg took these blocks off the best chain: their watched transactions get `retracted`, and
   * every transaction is submitted again (source `inBlock`). One that is refused ends its stream
   * with `invalid` (the runtime rejected it) or `dropped` (the pool did).
   */
  resubmit(retracted: readonly RetractedBlock[]): Promise<void> {
    return this.#serially(async () => {
      const again: Uint8Array[] = [];
      for (const block of retracted) {
        const blockHex = hexKey(block.hash);
        for (const bytes of block.transactions) {
          this.#pending.push({ hash: hexKey(hash(bytes)), status: { retracted: blockHex } });
          again.push(bytes);
        }
      }
      this.#deliver();
      for (const bytes of again) {
        try {
          await this.#admit(bytes, "inBlock");
        } catch (error) {
          if (error instanceof PoolError && error.code === PoolErrorCode.ALREADY_IMPORTED) continue;
          const status = isInvalidTransactionError(error) ? "invalid" : "dropped";
          this.#pending.push({ hash: hexKey(hash(bytes)), status });
          this.#deliver();
        }
      }
    });
  }

  /** A block became final: watched transactions it included get `finalized`, ending the stream. */
  onFinalized(blockHash: Uint8Array, includedHashes: readonly Uint8Array[]): void {
    const blockHex = hexKey(blockHash);
    for (const txHash of includedHashes) {
      this.#pending.push({ hash: hexKey(txHash), status: { finalized: blockHex } });
    }
    this.#deliver();
  }

  async #admit(
    bytes: Uint8Array,
    source: TransactionSource,
    listener?: TransactionStatusListener,
  ): Promise<{ hash: Uint8Array; unsubscribe: Unsubscribe }> {
    if (bytes.length > this.#maxTransactionBytes) {
      throw new PoolError(
        PoolErrorCode.TOO_LARGE,
        `Transaction of ${bytes.length} bytes exceeds the limit of ${this.#maxTransactionBytes}`,
      );
    }
    const txHash = hash(bytes);
    const key = hexKey(txHash);
    if (this.#graph.get(key) !== undefined || this.#validating.has(key)) {
      throw new PoolError(PoolErrorCode.ALREADY_IMPORTED, `Transaction Already Imported: ${key}`);
    }
    if (this.#bans.isBanned(key)) {
      throw new PoolError(PoolErrorCode.TEMPORARILY_BANNED, "Transaction is temporarily banned");
    }
    const at = this.#best;
    let valid: ValidTransaction;
    this.#validating.add(key);
    try {
      valid = await this.#validate(bytes, at, source);
    } catch (error) {
      if (isInvalidTransactionError(error)) this.#bans.ban([key]);
      throw error;
    } finally {
      this.#validating.delete(key);
    }
    const tx: PooledTransaction = {
      hash: txHash,
      hashHex: key,
      bytes,
      source,
      insertion: this.#nextInsertion++,
      valid,
      validatedAt: at.number,
    };
    return { hash: txHash, unsubscribe: this.#insert(tx, listener) };
  }

  /** Everything after validation, synchronous so that no other call sees a half-done import. */
  #insert(tx: PooledTransaction, listener?: TransactionStatusListener): Unsubscribe {
    const { provides, requires } = tagsOf(tx);
    if (provides.length === 0) {
      throw new PoolError(
        PoolErrorCode.NO_TAGS_PROVIDED,
        "Transaction does not provide any tags, so the pool can't identify it",
      );
    }
    if (requires.some((tag) => provides.includes(tag))) {
      throw new PoolError(PoolErrorCode.CYCLE_DETECTED, "Cycle Detected");
    }
    const holders = this.#graph.conflicts(provides);
    const held = holders.reduce((sum, h) => sum + h.tx.valid.priority, 0n);
    if (holders.length > 0 && tx.valid.priority <= held) {
      throw new PoolError(
        PoolErrorCode.TOO_LOW_PRIORITY,
        `Priority is too low: (${held} vs ${tx.valid.priority})`,
      );
    }
    for (const holder of holders) {
      this.#graph.remove(holder);
      this.#pending.push({ hash: holder.tx.hashHex, status: { usurped: tx.hashHex } });
    }
    this.#graph.add(tx, provides, requires);
    this.#queueTransitions();
    const dropped = this.#enforceLimits();
    if (dropped.some((e) => e.tx === tx)) {
      // The caller learns it from the error; the newcomer's own statuses are not sent.
      removeWhere(this.#pending, (p) => p.hash === tx.hashHex);
      this.#deliver();
      throw new PoolError(
        PoolErrorCode.IMMEDIATELY_DROPPED,
        "Transaction couldn't enter the pool because of the limit",
      );
    }
    const unsubscribe = listener === undefined ? noop : this.#watchers.watch(tx.hashHex, listener);
    this.#deliver();
    return unsubscribe;
  }

  /** Evicts the worst transactions (lowest priority, newest among equals) until both queues fit.
   * An evicted ready transaction's dependents fall back to future, where the future limit applies. */
  #enforceLimits(): GraphEntry[] {
    const dropped: GraphEntry[] = [];
    for (const state of ["ready", "future"] as const) {
      const limit = this.#limits[state];
      for (;;) {
        const status = this.#graph.status();
        const [count, bytes] =
          state === "ready"
            ? [status.ready, status.readyBytes]
            : [status.future, status.futureBytes];
        if (!exceeds(limit, count, bytes)) break;
        const worst = this.#graph.worst(state);
        if (worst === undefined) break;
        this.#graph.remove(worst);
        dropped.push(worst);
      }
    }
    this.#queueTransitions();
    this.#dismiss(dropped, "dropped");
    return dropped;
  }

  /** Revalidates every pooled transaction at `at` and re-sorts ready and future accordingly. */
  async #revalidate(at: BlockRef): Promise<void> {
    const snapshot = [...this.#graph.entries()];
    const results = await Promise.allSettled(
      snapshot.map(async (e) => this.#validate(e.tx.bytes, at, e.tx.source)),
    );
    const updates = new Map<GraphEntry, PooledTransaction>();
    const invalid: GraphEntry[] = [];
    snapshot.forEach((entry, i) => {
      const result = results[i]!;
      // Removed or replaced while we were validating: its fate is already decided.
      if (!this.#graph.isPresent(entry)) return;
      if (result.status === "fulfilled") {
        updates.set(entry, { ...entry.tx, valid: result.value, validatedAt: at.number });
      } else if (isInvalidTransactionError(result.reason)) {
        invalid.push(entry);
      }
      // Otherwise the runtime could not tell: keep the previous verdict until the next block.
    });
    for (const entry of invalid) this.#graph.remove(entry);
    this.#dismiss(invalid, "invalid");
    for (const { loser, winner } of this.#graph.rebuild(updates, tagsOf)) {
      this.#pending.push({ hash: loser.hashHex, status: { usurped: winner.hashHex } });
    }
    this.#queueTransitions();
    this.#enforceLimits();
    this.#deliver();
  }

  /** Bans removed transactions and queues their final status. */
  #dismiss(removed: readonly GraphEntry[], status: "invalid" | "dropped"): void {
    this.#bans.ban(removed.map((e) => e.tx.hashHex));
    for (const entry of removed) this.#pending.push({ hash: entry.tx.hashHex, status });
  }

  #queueTransitions(): void {
    for (const { tx, state } of this.#graph.takeTransitions()) {
      this.#pending.push({ hash: tx.hashHex, status: state });
    }
  }

  #deliver(): void {
    // A listener that calls back into the pool queues more statuses; the outer loop sends them in
    // order instead of nesting.
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift()) {
        this.#watchers.notify(next.hash, next.status, next.blockNumber);
      }
    } finally {
      this.#delivering = false;
    }
  }

  #serially(task: () => Promise<void>): Promise<void> {
    const run = this.#maintenance.then(task);
    // A failed maintenance step must not wedge the ones after it; the caller still sees the error.
    this.#maintenance = run.catch(() => {});
    return run;
  }
}

function hexKey(bytes: Uint8Array): Hex {
  return toHex(bytes) as Hex;
}

function tagsOf(tx: PooledTransaction): { provides: Hex[]; requires: Hex[] } {
  return {
    provides: [...new Set(tx.valid.provides.map(hexKey))],
    requires: [...new Set(tx.valid.requires.map(hexKey))],
  };
}

function removeWhere<T>(items: T[], predicate: (item: T) => boolean): void {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) items.splice(i, 1);
}

function noop(): void {}
