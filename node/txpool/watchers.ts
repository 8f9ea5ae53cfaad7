// Status streams of watched transactions (author_submitAndWatchExtrinsic). A stream outlives the
// transaction's stay in the pool: after `inBlock` it waits for `finalized` (or `retracted`), and
// it ends after a terminal status. Everything kept here is removed when the stream ends, and
// streams stuck in a block that never finalizes end with `finalityTimeout`, so nothing grows.
import type { Hex, RpcTransactionStatus, Unsubscribe } from "../../rpc/node-api.ts";

export type TransactionStatusListener = (status: RpcTransactionStatus) => void;

export function isTerminalStatus(status: RpcTransactionStatus): boolean {
  return (
    status === "dropped" ||
    status === "invalid" ||
    (typeof status === "object" &&
      ("finalized" in status || "usurped" in status || "finalityTimeout" in status))
  );
}

export class TransactionWatchers {
  readonly #listeners = new Map<Hex, Set<TransactionStatusListener>>();
  /** Watched transactions waiting for finality: the block that included them and its number. */
  readonly #inBlock = new Map<Hex, { block: Hex; number: number }>();

  get size(): number {
    return this.#listeners.size;
  }

  isWatched(hash: Hex): boolean {
    return this.#listeners.has(hash);
  }

  watch(hash: Hex, listener: TransactionStatusListener): Unsubscribe {
    let set = this.#listeners.get(hash);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(hash, set);
    }
    set.add(listener);
    return () => {
      const current = this.#listeners.get(hash);
      if (current === undefined || !current.delete(listener) || current.size > 0) return;
      this.#forget(hash);
    };
  }

  /** `blockNumber` accompanies `inBlock`, to time finality out. */
  notify(hash: Hex, status: RpcTransactionStatus, blockNumber?: number): void {
    const set = this.#listeners.get(hash);
    if (set === undefined) return;
    if (typeof status === "object") {
      if ("inBlock" in status && blockNumber !== undefined) {
        this.#inBlock.set(hash, { block: status.inBlock, number: blockNumber });
      } else if ("retracted" in status) {
        this.#inBlock.delete(hash);
      }
    }
    if (isTerminalStatus(status)) this.#forget(hash);
    for (const listener of [...set]) {
      try {
        listener(status);
      } catch {
        // A failing subscriber (a closed socket) must not break the pool or the other subscribers.
      }
    }
  }

  /** Ends streams whose block has waited `timeoutBlocks` or more for finality at `bestNumber`. */
  expireFinality(bestNumber: number, timeoutBlocks: number): void {
    for (const [hash, { block, number }] of this.#inBlock) {
      if (bestNumber - number >= timeoutBlocks) this.notify(hash, { finalityTimeout: block });
    }
  }

  #forget(hash: Hex): void {
    this.#listeners.delete(hash);
    this.#inBlock.delete(hash);
  }
}
