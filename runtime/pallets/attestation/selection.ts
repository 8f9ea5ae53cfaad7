// Who attests a round, from chain data alone. A round is called for by an extrinsic or a deadline
// (the query log, a dispute, a split tally) and selected at the start of the *next* block, seeded
// by the hash of the block that called for it — which includes the calling extrinsic, so its
// sender cannot know the seed when it sends it, and nothing in the seed is the sender's to choose:
//
//   seed = blake2b-256("lineage/attestation/select/v1" ‖ parentHash ‖ u64 model ‖ u32 window ‖
//                      u32 round)
//
// Only the author of the calling block could grind it (by what it includes); a VRF would remove
// that too.
//
// Every eligible attestor (bond ≥ attestationMinBond, not unbonding) is ranked by
// blake2b-256(seed ‖ account), lowest first, and the first N_r are selected, with
//
//   N_r = min(N · 2^r, eligible),   M_r = max(M, ⌈N_r · M / N⌉)
//
// so a later round is larger and keeps the quorum above half of its set (M > N/2 by the params'
// combination check). A round with N_r < M_r cannot reach a quorum and is not started.
import { compareBytes, concatBytes, u32be, u64be, utf8 } from "../../../primitives/bytes.ts";
import { blake2b256 } from "../../../primitives/hash.ts";
import type { StorageScan } from "../../storage.ts";
import { param } from "../params.ts";
import { storage as systemStorage } from "../system.ts";
import { storage } from "./storage.ts";

const SELECT_DOMAIN = utf8("lineage/attestation/select/v1");

export function selectionSeed(
  s: StorageScan,
  modelId: number,
  window: number,
  round: number,
): Uint8Array {
  return blake2b256(
    concatBytes(
      SELECT_DOMAIN,
      systemStorage.parentHash.get(s),
      u64be(modelId),
      u32be(window),
      u32be(round),
    ),
  );
}

/** The attestors that can be selected now, in account order. */
export function eligibleAttestors(s: StorageScan): Uint8Array[] {
  const min = param(s, "attestationMinBond");
  const out: Uint8Array[] = [];
  for (const [who, a] of storage.attestors.entries(s))
    if (a.unbondingAt === 0 && a.bond >= min) out.push(who);
  return out;
}

/** N_r and M_r for a round given how many attestors are eligible. */
export function roundSize(
  s: StorageScan,
  round: number,
  eligible: number,
): { size: number; quorum: number } {
  const n = Number(param(s, "attestationSetSize"));
  const m = Number(param(s, "attestationQuorum"));
  const size = Math.min(n * 2 ** round, eligible);
  const quorum = Math.max(m, Number((BigInt(size * m) + BigInt(n) - 1n) / BigInt(n)));
  return { size, quorum };
}

/** The first `size` of `candidates` ranked by blake2b-256(seed ‖ account). */
export function select(seed: Uint8Array, candidates: Uint8Array[], size: number): Uint8Array[] {
  return candidates
    .map((who) => ({ who, rank: blake2b256(concatBytes(seed, who)) }))
    .sort((a, b) => compareBytes(a.rank, b.rank))
    .slice(0, size)
    .map((c) => c.who);
}
