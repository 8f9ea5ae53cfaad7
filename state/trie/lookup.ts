// Point reads: walk from the root along the key's nibbles.

import { commonPrefixLength, toNibbles } from "./nibbles.ts";
import { decodeNode } from "./node-codec.ts";
import type { TrieNodeSource } from "./node-source.ts";
import { requireNode } from "./node-source.ts";

/**
 * The value stored under `key` in the trie at `root`. `visit` sees every node encoding on the path,
 * which is exactly what a read proof has to contain.
 */
export function trieGet(
  source: TrieNodeSource,
  root: Uint8Array,
  key: Uint8Array,
  visit?: (hash: Uint8Array, encoding: Uint8Array) => void,
): Uint8Array | undefined {
  const nibbles = toNibbles(key);
  let at = 0;
  let hash = root;
  for (;;) {
    const encoding = requireNode(source, hash);
    visit?.(hash, encoding);
    const node = decodeNode(encoding);
    switch (node.kind) {
      case "empty":
        return undefined;
      case "leaf": {
        const rest = nibbles.length - at;
        const match = commonPrefixLength(node.path, nibbles, at);
        return rest === node.path.length && match === rest ? node.value : undefined;
      }
      case "extension": {
        if (commonPrefixLength(node.path, nibbles, at) !== node.path.length) return undefined;
        at += node.path.length;
        hash = node.child;
        break;
      }
      case "branch": {
        if (at === nibbles.length) return node.value;
        const child = node.children[nibbles[at]!];
        if (child === undefined) return undefined;
        at += 1;
        hash = child;
        break;
      }
    }
  }
}
