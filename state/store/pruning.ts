// What finalizing a block deletes, in pruning mode. Reference counts make this exact:
//  - every block's `inserted` nodes were counted up when it was imported;
//  - a canonical block's `removed` nodes are counted down once its parent's state leaves the
//    window (number ≤ finalized − keep), which is what makes that parent state unreadable;
//  - a block that can no longer become canonical (a fork at or below the finalized height, or a
//    descendant of one) has its `inserted` counted down and its block data deleted.
// A node whose count reaches zero is deleted. See docs in chain-store.ts for the invariant.
import type { KvOp } from "../kv.ts";
import { nodeKey } from "../trie/node-source.ts";
import type { ChainRepositories } from "./chain-repositories.ts";
import { RefDeltas } from "./trie-node-store.ts";

export interface PruningInput {
  keep: number;
  /** Height of the finalized block before this finalization. */
  previousFinalized: number;
  /** The newly finalized chain: height → hash for heights (previousFinalized, newFinalized]. */
  finalizedChain: Map<number, Uint8Array>;
  newFinalized: number;
  prunedThrough: number;
}

export interface PruningPlan {
  ops: KvOp[];
  deletedNodes: Uint8Array[];
  discardedBlocks: Uint8Array[];
  prunedThrough: number;
}

export async function planPruning(
  repos: ChainRepositories,
  input: PruningInput,
): Promise<PruningPlan> {
  const ops: KvOp[] = [];
  const deltas = new RefDeltas();

  // Forks: everything above the old finalized height that is not on the new finalized chain
  // (up to its height) or does not descend from a surviving block (above it). Height order
  // guarantees a parent is judged before its children.
  const dead = new Set<string>();
  const discardedBlocks: Uint8Array[] = [];
  for await (const [{ number, hash }] of repos.blockAtHeight.entries({
    number: input.previousFinalized + 1,
    hash: new Uint8Array(32),
  })) {
    let isDead: boolean;
    if (number <= input.newFinalized) {
      isDead = nodeKey(input.finalizedChain.get(number)!) !== nodeKey(hash);
    } else {
      const parent = repos.blockMeta.get(hash)?.parentHash;
      isDead = parent !== undefined && dead.has(nodeKey(parent));
    }
    if (!isDead) continue;
    dead.add(nodeKey(hash));
    discardedBlocks.push(hash);
    const journal = repos.journals.get(hash);
    if (journal !== undefined) for (const h of journal.inserted) deltas.add(h, -1);
    ops.push(
      repos.headers.del(hash),
      repos.bodies.del(hash),
      repos.blockMeta.del(hash),
      repos.justifications.del(hash),
      repos.journals.del(hash),
      repos.blockAtHeight.del({ number, hash }),
    );
  }

  // Canonical window: apply `removed` of canonical blocks up to finalized − keep.
  const target = input.newFinalized - input.keep;
  let prunedThrough = input.prunedThrough;
  for (let n = prunedThrough + 1; n <= target; n++) {
    const hash = input.finalizedChain.get(n) ?? repos.canonical.get(n);
    if (hash === undefined) continue;
    const journal = repos.journals.get(hash);
    if (journal !== undefined) {
      for (const h of journal.removed) deltas.add(h, -1);
      ops.push(repos.journals.del(hash));
    }
    prunedThrough = n;
  }

  const refs = repos.trieNodes.applyRefDeltas(deltas);
  ops.push(...refs.ops);
  return { ops, deletedNodes: refs.deleted, discardedBlocks, prunedThrough };
}
