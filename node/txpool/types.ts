// The pool's vocabulary. The pool never looks inside a transaction: everything it knows about one
// comes from the runtime's validation result (`ValidTransaction`), handed in through `validate`.
import type { Hex } from "../../rpc/node-api.ts";

/** What the runtime says about a valid transaction, as Substrate's `ValidTransaction`. */
export interface ValidTransaction {
  /** Higher goes first in a block. */
  priority: bigint;
  /** Tags this transaction provides, e.g. encode(sender ‖ nonce). At least one. */
  provides: Uint8Array[];
  /** Tags that must be provided first, by other pool transactions. Tags already satisfied by the
   * state at the validation block are not listed. */
  requires: Uint8Array[];
  /** Blocks the transaction stays valid after the block it was validated at (mortality). */
  longevity: number;
  /** Whether the transaction may be gossiped to peers. */
  propagate: boolean;
}

/** Where a transaction came from, as Substrate's `TransactionSource`; the runtime may treat them apart. */
export type TransactionSource = "local" | "external" | "inBlock";

export interface BlockRef {
  number: number;
  hash: Uint8Array;
}

/** Asks the runtime about a transaction at a block. Throws a `LineageError` with a `TX_*` code when
 * the transaction is invalid (stale, bad proof, payment, ...). Any other throw means "could not tell"
 * and does not ban the transaction. */
export type ValidateTransaction = (
  bytes: Uint8Array,
  at: BlockRef,
  source: TransactionSource,
) => ValidTransaction | Promise<ValidTransaction>;

/** A transaction held by the pool. Immutable: revalidation replaces the object. */
export interface PooledTransaction {
  readonly hash: Uint8Array;
  readonly hashHex: Hex;
  readonly bytes: Uint8Array;
  readonly source: TransactionSource;
  /** Arrival order; the deterministic tie-breaker between equal priorities. */
  readonly insertion: number;
  readonly valid: ValidTransaction;
  /** Number of the block the validation result refers to; longevity counts from here. */
  readonly validatedAt: number;
}

/** Pool sizes for metrics (`substrate_ready_transactions_number`) and limits, as Substrate's `PoolStatus`. */
export interface PoolStatus {
  ready: number;
  readyBytes: number;
  future: number;
  futureBytes: number;
}

/** A block taken off the best chain by a reorg, with the transactions it carried. */
export interface RetractedBlock {
  hash: Uint8Array;
  transactions: readonly Uint8Array[];
}

export interface ImportedBlock {
  number: number;
  hash: Uint8Array;
  /** Hashes of the extrinsics the block carries (pool transactions or not). */
  includedHashes: readonly Uint8Array[];
  /** Re-validate every remaining transaction against the new block (default true). */
  revalidate?: boolean;
}
