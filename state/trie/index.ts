// Hexary Patricia-Merkle trie over raw (unhashed) keys, nodes addressed by blake2b-256.
export { keysPaged, trieEntries } from "./iterate.ts";
export { trieGet } from "./lookup.ts";
export { fromNibbles, type Nibbles, toNibbles } from "./nibbles.ts";
export {
  cachedNodeSource,
  DEFAULT_NODE_CACHE_LIMITS,
  NodeCache,
  type NodeCacheLimits,
} from "./node-cache.ts";
export {
  decodeNode,
  EMPTY_NODE_ENCODING,
  EMPTY_ROOT,
  encodeNode,
  type TrieNode,
} from "./node-codec.ts";
export {
  MemoryNodeSource,
  nodeKey,
  requireNode,
  type TrieNodeSource,
  withPendingNodes,
} from "./node-source.ts";
export { type ProofResult, proofNodeSource, prove, verifyProof } from "./proof.ts";
export { applyChanges, normalizeChanges } from "./update.ts";
