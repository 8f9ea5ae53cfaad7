// Where trie nodes come from. Every trie operation reads through a TrieNodeSource so that the same
// code serves the database (with a bounded cache), a proof, and nodes not yet committed.
import { bytesEqual } from "../../primitives/bytes.ts";
import { StateError } from "../errors.ts";
import { EMPTY_NODE_ENCODING, EMPTY_ROOT } from "./node-codec.ts";

export interface TrieNodeSource {
  /** The encoding of the node with this hash, or undefined if the source does not hold it. */
  getNode(hash: Uint8Array): Uint8Array | undefined;
}

/** Map key for a node hash (hex without 0x: cheap, and readable when debugging). */
export function nodeKey(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString("hex");
}

/** Reads a node or raises MISSING_TRIE_NODE; the empty root is always known. */
export function requireNode(source: TrieNodeSource, hash: Uint8Array): Uint8Array {
  if (bytesEqual(hash, EMPTY_ROOT)) return EMPTY_NODE_ENCODING;
  const node = source.getNode(hash);
  if (node === undefined) {
    throw new StateError("MISSING_TRIE_NODE", `trie node ${nodeKey(hash)} is not available`);
  }
  return node;
}

/** An in-memory node set: tests, proofs, and the nodes of an update before it is committed. */
export class MemoryNodeSource implements TrieNodeSource {
  readonly #nodes = new Map<string, Uint8Array>();

  constructor(nodes: Iterable<{ hash: Uint8Array; node: Uint8Array }> = []) {
    for (const n of nodes) this.put(n.hash, n.node);
  }

  getNode(hash: Uint8Array): Uint8Array | undefined {
    return this.#nodes.get(nodeKey(hash));
  }

  put(hash: Uint8Array, node: Uint8Array): void {
    this.#nodes.set(nodeKey(hash), node);
  }

  delete(hash: Uint8Array): void {
    this.#nodes.delete(nodeKey(hash));
  }

  get size(): number {
    return this.#nodes.size;
  }
}

/** Pending (not yet committed) nodes in front of a base source. */
export function withPendingNodes(
  base: TrieNodeSource,
  pending: Iterable<{ hash: Uint8Array; node: Uint8Array }>,
): TrieNodeSource {
  const front = new MemoryNodeSource(pending);
  return { getNode: (hash) => front.getNode(hash) ?? base.getNode(hash) };
}
