// Binary Merkle root over byte strings, with domain separation between leaves and inner nodes so
// that an inner node can never be passed off as a leaf.
import { concatBytes } from "./bytes.ts";
import { hash } from "./hash.ts";

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export const EMPTY_MERKLE_ROOT = hash(new Uint8Array());

export function merkleRoot(items: Uint8Array[]): Uint8Array {
  if (items.length === 0) return EMPTY_MERKLE_ROOT;
  let level = items.map((item) => hash(concatBytes(LEAF, item)));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      // An odd node is promoted unchanged to the next level.
      next.push(right ? hash(concatBytes(NODE, level[i]!, right)) : level[i]!);
    }
    level = next;
  }
  return level[0]!;
}
