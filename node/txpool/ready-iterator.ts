// The order in which a block builder takes ready transactions, as Substrate's BestIterator: a
// transaction comes only after the transactions providing its required tags, and otherwise the
// highest priority first, the earliest arrival among equals. The iterator works on a snapshot of the
// ready set taken at the start; transactions removed meanwhile (`reportInvalid` during building
// removes the failed one and its dependents) are skipped.
import type { GraphEntry, TransactionGraph } from "./graph.ts";
import type { PooledTransaction } from "./types.ts";

export function* bestReady(graph: TransactionGraph): Generator<PooledTransaction, void, undefined> {
  const heap = new EntryHeap();
  /** Ready entries still waiting for this many of their required tags to be yielded. */
  const waiting = new Map<GraphEntry, number>();
  for (const entry of graph.entries()) {
    if (entry.state !== "ready") continue;
    const missing = entry.requires.filter(
      (tag) => !graph.isPruned(tag) && graph.providerOf(tag)?.state === "ready",
    ).length;
    if (missing === 0) heap.push(entry);
    else waiting.set(entry, missing);
  }
  for (let entry = heap.pop(); entry !== undefined; entry = heap.pop()) {
    if (!isStillReady(graph, entry)) continue;
    yield entry.tx;
    // The builder may have reported it invalid while we were suspended: then nothing it unlocks
    // can go in the block.
    if (!isStillReady(graph, entry)) continue;
    for (const tag of entry.provides) {
      for (const dependent of graph.dependentsOf(tag)) {
        const missing = waiting.get(dependent);
        if (missing === undefined) continue;
        if (missing > 1) {
          waiting.set(dependent, missing - 1);
        } else {
          waiting.delete(dependent);
          heap.push(dependent);
        }
      }
    }
  }
}

function isStillReady(graph: TransactionGraph, entry: GraphEntry): boolean {
  return graph.isPresent(entry) && entry.state === "ready";
}

/** `a` goes before `b`: higher priority, then earlier arrival. */
function before(a: GraphEntry, b: GraphEntry): boolean {
  const pa = a.tx.valid.priority;
  const pb = b.tx.valid.priority;
  return pa !== pb ? pa > pb : a.tx.insertion < b.tx.insertion;
}

/** A binary max-heap by `before`. */
class EntryHeap {
  readonly #items: GraphEntry[] = [];

  push(entry: GraphEntry): void {
    const items = this.#items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): GraphEntry | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < items.length && before(items[left]!, items[best]!)) best = left;
      if (right < items.length && before(items[right]!, items[best]!)) best = right;
      if (best === i) break;
      [items[i], items[best]] = [items[best]!, items[i]!];
      i = best;
    }
    return top;
  }
}
