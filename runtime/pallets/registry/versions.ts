// Versions: a datanet's accepted contributions frozen with their weights under a binary Merkle
// root. Leaf i is `u64be(contributionId) ‖ u64be(weight)` for the i-th entry in id order, so the
// stored entries rebuild every leaf; a client checks a proof against the root with `verifyProof`
// and nothing else.
import { concatBytes, u64be } from "../../../primitives/bytes.ts";
import {
  type MerkleProof,
  merkleProof,
  merkleRoot,
  verifyMerkleProof,
} from "../../../primitives/merkle.ts";
import type { StorageScan } from "../../storage.ts";
import { getVersion, versionEntries } from "./storage.ts";

export function versionLeaf(contributionId: number, weight: number): Uint8Array {
  return concatBytes(u64be(contributionId), u64be(weight));
}

export function versionRoot(entries: { contributionId: number; weight: number }[]): Uint8Array {
  return merkleRoot(entries.map((e) => versionLeaf(e.contributionId, e.weight)));
}

/** What a client needs to check that a contribution with a weight is in a version. */
export interface VersionProof {
  datanetId: number;
  version: number;
  contributionId: number;
  weight: number;
  root: Uint8Array;
  totalWeight: number;
  proof: MerkleProof;
}

/** The inclusion proof of a contribution in a published version; undefined if it is not in it. */
export function buildVersionProof(
  s: StorageScan,
  datanetId: number,
  version: number,
  contributionId: number,
): VersionProof | undefined {
  const record = getVersion(s, datanetId, version);
  if (!record) return undefined;
  const entries = versionEntries(s, datanetId, version);
  const index = entries.findIndex((e) => e.contributionId === contributionId);
  if (index < 0) return undefined;
  const leaves = entries.map((e) => versionLeaf(e.contributionId, e.weight));
  return {
    datanetId,
    version,
    contributionId,
    weight: entries[index]!.weight,
    root: record.root,
    totalWeight: record.totalWeight,
    proof: merkleProof(leaves, index),
  };
}

/**
 * Pure client-side check: does (contributionId, weight) sit at the proof's position under `root`?
 * `root` must come from a source the client trusts (a finalized block's state), not the proof.
 */
export function verifyVersionProof(
  root: Uint8Array,
  contributionId: number,
  weight: number,
  proof: MerkleProof,
): boolean {
  return verifyMerkleProof(root, versionLeaf(contributionId, weight), proof);
}
