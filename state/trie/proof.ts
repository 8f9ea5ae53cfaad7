// Read proofs (state_getReadProof): the node encodings on the paths to a set of keys. A verifier
// holding only the state root can then learn each key's value, or that it is absent.
import { compareBytes } from "../../primitives/bytes.ts";
import { LineageError } from "../../primitives/errors.ts";
import { hash } from "../../primitives/hash.ts";
import { StateError } from "../errors.ts";
import { trieGet } from "./lookup.ts";
import { EMPTY_NODE_ENCODING } from "./node-codec.ts";
import { MemoryNodeSource, nodeKey, type TrieNodeSource } from "./node-source.ts";

export type ProofResult = { found: true; value: Uint8Array } | { found: false };

/**
 * Node encodings on the paths to `keys` (present or absent), each once, in the order a walk over
 * the sorted keys first meets them, so the proof is the same bytes on every node.
 */
export function prove(
  source: TrieNodeSource,
  root: Uint8Array,
  keys: readonly Uint8Array[],
): Uint8Array[] {
  const seen = new Set<string>();
  const proof: Uint8Array[] = [];
  const sorted = [...keys].sort(compareBytes);
  for (const key of sorted) {
    trieGet(source, root, key, (h, encoding) => {
      const k = nodeKey(h);
      if (seen.has(k) || encoding === EMPTY_NODE_ENCODING) return;
      seen.add(k);
      proof.push(encoding);
    });
  }
  return proof;
}

/** A node source made of proof nodes, each addressed by its own hash (so tampering is visible). */
export function proofNodeSource(proof: readonly Uint8Array[]): MemoryNodeSource {
  const source = new MemoryNodeSource();
  for (const node of proof) source.put(hash(node), node);
  return source;
}

/**
 * What `proof` says about `key` under `root`. Throws StateError INVALID_PROOF when the proof does
 * not reach a conclusion: a node is missing, malformed, or was altered (its hash no longer matches
 * the reference, which is the same as missing).
 */
export function verifyProof(
  root: Uint8Array,
  key: Uint8Array,
  proof: readonly Uint8Array[],
): ProofResult {
  try {
    const value = trieGet(proofNodeSource(proof), root, key);
    return value === undefined ? { found: false } : { found: true, value };
  } catch (err) {
    if (err instanceof LineageError) {
      throw new StateError("INVALID_PROOF", `proof does not establish the key: ${err.message}`, {
        cause: err,
      });
    }
    throw err;
  }
}
