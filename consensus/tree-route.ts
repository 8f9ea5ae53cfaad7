// The route between two blocks through their common ancestor: which blocks a reorg retracts and
// which it enacts, for the transaction pool and the reorg log line.
import { bytesEqual } from "../primitives/bytes.ts";
import type { BlockRef, ChainStore } from "../state/chain-store.ts";

export interface TreeRoute {
  common: BlockRef;
  /** Blocks leaving the best chain, from the old tip down. */
  retracted: BlockRef[];
  /** Blocks joining it, from just above the common ancestor up to the new tip. */
  enacted: BlockRef[];
}

export function treeRoute(store: ChainStore, from: BlockRef, to: BlockRef): TreeRoute {
  const retracted: BlockRef[] = [];
  const enacted: BlockRef[] = [];
  let a = from;
  let b = to;
  const parent = (ref: BlockRef): BlockRef => {
    const meta = store.getBlockMeta(ref.hash);
    if (meta === undefined) throw new Error(`tree route: block #${ref.number} is not stored`);
    return { hash: meta.parentHash, number: ref.number - 1 };
  };
  while (a.number > b.number) {
    retracted.push(a);
    a = parent(a);
  }
  while (b.number > a.number) {
    enacted.push(b);
    b = parent(b);
  }
  while (!bytesEqual(a.hash, b.hash)) {
    retracted.push(a);
    enacted.push(b);
    a = parent(a);
    b = parent(b);
  }
  return { common: a, retracted, enacted: enacted.reverse() };
}
