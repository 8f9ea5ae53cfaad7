// Binary Merkle root over byte strings, with domain separation between leaves and inner nodes so
// that an inner node can never be passed off as a leaf.
import { bytesEqual, concatBytes } from "./bytes.ts";
import { hash } from "./hash.ts";

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export const EMPTY_MERKLE_ROOT = hash(new Uint8Array());

export function merkleRoot(items: Uint8Array[]): Uint8Array {
  return merkleLevels(items).at(-1)![0]!;
}

/** What shows that one item is the `index`-th of `count` items under a root. */
export interface MerkleProof {
  index: number;
  count: number;
  /** Sibling hashes from the leaf level up; levels where the node is promoted have none. */
  siblings: Uint8Array[];
}

/** Every level of the tree over `items`, leaf hashes first, the root's level last. */
export function merkleLevels(items: Uint8Array[]): Uint8Array[][] {
  if (items.length === 0) return [[EMPTY_MERKLE_ROOT]];
  const levels = [items.map((item) => hash(concatBytes(LEAF, item)))];
  while (levels.at(-1)!.length > 1) {
    const level = levels.at(-1)!;
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) {
      const right = level[j + 1];
      next.push(right ? hash(concatBytes(NODE, level[j]!, right)) : level[j]!);
    }
    levels.push(next);
  }
  return levels;
}

/** The inclusion proof of leaf `index` from the tree's levels (built once for many proofs). */
export function proofFromLevels(levels: Uint8Array[][], index: number): MerkleProof {
  const count = levels[0]!.length;
  if (!Number.isSafeInteger(index) || index < 0 || index >= count)
    throw new RangeError(`index ${index} outside 0..${count - 1}`);
  const siblings: Uint8Array[] = [];
  let i = index;
  for (const level of levels.slice(0, -1)) {
    const sibling = i % 2 === 0 ? level[i + 1] : level[i - 1];
    if (sibling) siblings.push(sibling);
    i = Math.floor(i / 2);
  }
  return { index, count, siblings };
}

/** The inclusion proof of `items[index]` in `merkleRoot(items)`. */
export function merkleProof(items: Uint8Array[], index: number): MerkleProof {
  if (!Number.isSafeInteger(index) || index < 0 || index >= items.length)
    throw new RangeError(`index ${index} outside 0..${items.length - 1}`);
  return proofFromLevels(merkleLevels(items), index);
}

/** The root that `item` at the proof's position implies; null when the proof's shape is wrong. */
export function merkleRootFromProof(item: Uint8Array, proof: MerkleProof): Uint8Array | null {
  const { index, count, siblings } = proof;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count)) return null;
  if (index < 0 || index >= count) return null;
  let node = hash(concatBytes(LEAF, item));
  let i = index;
  let width = count;
  let used = 0;
  while (width > 1) {
    if (i % 2 === 1) {
      const left = siblings[used++];
      if (left?.length !== node.length) return null;
      node = hash(concatBytes(NODE, left, node));
    } else if (i + 1 < width) {
      const right = siblings[used++];
      if (right?.length !== node.length) return null;
      node = hash(concatBytes(NODE, node, right));
    }
    i = Math.floor(i / 2);
    width = Math.ceil(width / 2);
  }
  return used === siblings.length ? node : null;
}

/** True when `item` is the proof's `index`-th of `count` items under `root`. */
export function verifyMerkleProof(root: Uint8Array, item: Uint8Array, proof: MerkleProof): boolean {
  const implied = merkleRootFromProof(item, proof);
  return implied !== null && bytesEqual(implied, root);
}
