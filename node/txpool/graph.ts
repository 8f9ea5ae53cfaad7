// The dependency graph of pooled transactions: who provides which tag, who waits for which tag,
// and whether each transaction is ready (every required tag provided by a ready transaction or
// by a recently included one) or future. Synchronous and free of policy: validation, bans, limits
// and notifications live in the pool, which reads the state changes back with `takeTransitions`.
import type { Hex } from "../../rpc/node-api.ts";
import type { PooledTransaction, PoolStatus } from "./types.ts";

export type QueueState = "ready" | "future";

export interface GraphEntry {
  tx: PooledTransaction;
  provides: Hex[];
  requires: Hex[];
  state: QueueState;
}

export interface Transition {
  tx: PooledTransaction;
  state: QueueState;
}

export interface Usurpation {
  loser: PooledTransaction;
  winner: PooledTransaction;
}

export class TransactionGraph {
  // Map order is arrival order: every scan below is deterministic.
  readonly #entries = new Map<Hex, GraphEntry>();
  readonly #providers = new Map<Hex, GraphEntry>();
  readonly #dependents = new Map<Hex, Set<GraphEntry>>();
  /** Tags provided by recently included transactions, with the block number: they count as
   * satisfied so that dependents stay ready until revalidation drops the requirement. */
  readonly #pruned = new Map<Hex, number>();
  /** State of each touched entry before the current operation, to report only net changes. */
  readonly #before = new Map<GraphEntry, QueueState | "new">();
  readonly #status: PoolStatus = { ready: 0, readyBytes: 0, future: 0, futureBytes: 0 };

  get(hash: Hex): GraphEntry | undefined {
    return this.#entries.get(hash);
  }

  isPresent(entry: GraphEntry): boolean {
    return this.#entries.get(entry.tx.hashHex) === entry;
  }

  entries(): IterableIterator<GraphEntry> {
    return this.#entries.values();
  }

  providerOf(tag: Hex): GraphEntry | undefined {
    return this.#providers.get(tag);
  }

  dependentsOf(tag: Hex): ReadonlySet<GraphEntry> {
    return this.#dependents.get(tag) ?? EMPTY;
  }

  isPruned(tag: Hex): boolean {
    return this.#pruned.has(tag);
  }

  status(): PoolStatus {
    return { ...this.#status };
  }

  /** Distinct entries providing any of `provides`, in arrival order. */
  conflicts(provides: readonly Hex[]): GraphEntry[] {
    const found = new Set<GraphEntry>();
    for (const tag of provides) {
      const holder = this.#providers.get(tag);
      if (holder !== undefined) found.add(holder);
    }
    return [...found].sort((a, b) => a.tx.insertion - b.tx.insertion);
  }

  /** Adds a transaction whose tags conflict with nothing; it lands in ready or future. */
  add(tx: PooledTransaction, provides: Hex[], requires: Hex[]): void {
    const entry: GraphEntry = { tx, provides, requires, state: "future" };
    this.#before.set(entry, "new");
    this.#entries.set(tx.hashHex, entry);
    this.#index(entry);
    this.#settle([entry]);
  }

  /** Removes one entry; ready dependents that lose their only provider fall back to future. */
  remove(entry: GraphEntry): void {
    if (!this.isPresent(entry)) return;
    this.#entries.delete(entry.tx.hashHex);
    this.#unindex(entry);
    this.#settle(this.#dependentsOfAll([entry]));
  }

  /** Removes an entry and, transitively, the ready entries that were ready only through it. */
  removeWithDependents(root: GraphEntry): GraphEntry[] {
    if (!this.isPresent(root)) return [];
    const removed: GraphEntry[] = [root];
    const seen = new Set<GraphEntry>(removed);
    for (let i = 0; i < removed.length; i++) {
      for (const tag of removed[i]!.provides) {
        if (this.#pruned.has(tag)) continue;
        for (const dependent of this.dependentsOf(tag)) {
          if (dependent.state !== "ready" || seen.has(dependent)) continue;
          seen.add(dependent);
          removed.push(dependent);
        }
      }
    }
    for (const entry of removed) {
      this.#entries.delete(entry.tx.hashHex);
      this.#unindex(entry);
    }
    this.#settle(this.#dependentsOfAll(removed));
    return removed;
  }

  /** Removes an entry included in a block; its tags count as satisfied from now on. */
  removeIncluded(entry: GraphEntry, blockNumber: number): void {
    for (const tag of entry.provides) this.#pruned.set(tag, blockNumber);
    this.remove(entry);
  }

  /** Forgets tags of transactions included at or before `blockNumber`. */
  forgetPrunedUpTo(blockNumber: number): void {
    for (const [tag, number] of this.#pruned) {
      if (number <= blockNumber) this.#pruned.delete(tag);
    }
  }

  /** The entry to evict first from a queue: lowest priority, the newest among equals. */
  worst(state: QueueState): GraphEntry | undefined {
    let worst: GraphEntry | undefined;
    for (const entry of this.#entries.values()) {
      if (entry.state !== state) continue;
      if (worst === undefined || entry.tx.valid.priority <= worst.tx.valid.priority) worst = entry;
    }
    return worst;
  }

  /**
   * Re-indexes every entry after revalidation (new tags, new priorities), in arrival order. Two
   * entries that now provide the same tag are resolved by the replacement rule: the later one wins
   * only with a priority greater than the sum of the holders'.
   */
  rebuild(updates: ReadonlyMap<GraphEntry, PooledTransaction>, tagsOf: TagsOf): Usurpation[] {
    const all = [...this.#entries.values()];
    for (const entry of all) {
      this.#touch(entry);
      this.#unindex(entry);
      const updated = updates.get(entry);
      if (updated !== undefined) {
        entry.tx = updated;
        const tags = tagsOf(updated);
        entry.provides = tags.provides;
        entry.requires = tags.requires;
      }
    }
    this.#entries.clear();
    const usurped: Usurpation[] = [];
    for (const entry of all) {
      const holders = this.conflicts(entry.provides);
      if (holders.length > 0) {
        const held = holders.reduce((sum, h) => sum + h.tx.valid.priority, 0n);
        if (entry.tx.valid.priority <= held) {
          usurped.push({ loser: entry.tx, winner: holders[0]!.tx });
          continue;
        }
        for (const holder of holders) {
          this.#entries.delete(holder.tx.hashHex);
          this.#unindex(holder);
          usurped.push({ loser: holder.tx, winner: entry.tx });
        }
      }
      entry.state = "future";
      this.#entries.set(entry.tx.hashHex, entry);
      this.#index(entry);
    }
    this.#settle(this.#entries.values());
    return usurped;
  }

  /** Net ready/future changes of entries still present since the last call, in order of change. */
  takeTransitions(): Transition[] {
    const out: Transition[] = [];
    for (const [entry, before] of this.#before) {
      if (this.isPresent(entry) && entry.state !== before) {
        out.push({ tx: entry.tx, state: entry.state });
      }
    }
    this.#before.clear();
    return out;
  }

  #isSatisfied(tag: Hex): boolean {
    return this.#pruned.has(tag) || this.#providers.get(tag)?.state === "ready";
  }

  #allSatisfied(entry: GraphEntry): boolean {
    return entry.requires.every((tag) => this.#isSatisfied(tag));
  }

  /**
   * Brings the candidates (and whatever they cascade to) to their correct state. Demotions run to
   * a fixpoint first, then promotions: each phase only moves one way, so both terminate.
   */
  #settle(candidates: Iterable<GraphEntry>): void {
    const start = [...candidates];
    const demote = [...start];
    for (let i = 0; i < demote.length; i++) {
      const entry = demote[i]!;
      if (entry.state !== "ready" || !this.isPresent(entry) || this.#allSatisfied(entry)) continue;
      this.#setState(entry, "future");
      demote.push(...this.#dependentsOfAll([entry]));
    }
    const promote = start;
    for (let i = 0; i < promote.length; i++) {
      const entry = promote[i]!;
      if (entry.state !== "future" || !this.isPresent(entry) || !this.#allSatisfied(entry))
        continue;
      this.#setState(entry, "ready");
      promote.push(...this.#dependentsOfAll([entry]));
    }
  }

  #dependentsOfAll(entries: readonly GraphEntry[]): GraphEntry[] {
    const out: GraphEntry[] = [];
    for (const entry of entries) {
      for (const tag of entry.provides) {
        for (const dependent of this.dependentsOf(tag)) out.push(dependent);
      }
    }
    return out;
  }

  #touch(entry: GraphEntry): void {
    if (!this.#before.has(entry)) this.#before.set(entry, entry.state);
  }

  #setState(entry: GraphEntry, state: QueueState): void {
    this.#touch(entry);
    this.#count(entry, -1);
    entry.state = state;
    this.#count(entry, 1);
  }

  #count(entry: GraphEntry, sign: 1 | -1): void {
    const bytes = sign * entry.tx.bytes.length;
    if (entry.state === "ready") {
      this.#status.ready += sign;
      this.#status.readyBytes += bytes;
    } else {
      this.#status.future += sign;
      this.#status.futureBytes += bytes;
    }
  }

  #index(entry: GraphEntry): void {
    this.#count(entry, 1);
    for (const tag of entry.provides) this.#providers.set(tag, entry);
    for (const tag of entry.requires) {
      let set = this.#dependents.get(tag);
      if (set === undefined) {
        set = new Set();
        this.#dependents.set(tag, set);
      }
      set.add(entry);
    }
  }

  #unindex(entry: GraphEntry): void {
    this.#count(entry, -1);
    for (const tag of entry.provides) {
      if (this.#providers.get(tag) === entry) this.#providers.delete(tag);
    }
    for (const tag of entry.requires) {
      const set = this.#dependents.get(tag);
      set?.delete(entry);
      if (set?.size === 0) this.#dependents.delete(tag);
    }
  }
}

export type TagsOf = (tx: PooledTransaction) => { provides: Hex[]; requires: Hex[] };

const EMPTY: ReadonlySet<GraphEntry> = new Set();
