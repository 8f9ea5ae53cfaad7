// A measured window's report: the pot split over contributions by their measured values, as
// Merkle leaves that the chain pays claims against.
//
// Allocation (exact to the planck): contributions whose value is ≤ 0 get 0. With V⁺ the sum of the
// positive values and P the distributable pot, contribution c gets ⌊P · V_c / V⁺⌋; the R planck
// those floors leave (R < the number of positive contributions) go one each to the contributions
// with the largest remainders P · V_c mod V⁺, ties to the lower contribution id. The amounts sum to
// P exactly. With no positive value at all every amount is 0 and nothing is allocated (the chain
// then pays the pot by the declared manifest).
//
// Leaf: u64be(contributionId) ‖ u128be(amount), 24 bytes, one per contribution of the model's
// manifest (zero amounts included) in ascending id order; the root is primitives/merkle.ts's.
import { concatBytes, u64be } from "../../primitives/bytes.ts";
import {
  type MerkleProof,
  merkleProof,
  merkleRoot,
  verifyMerkleProof,
} from "../../primitives/merkle.ts";
import { MeasurementError } from "./errors.ts";

export const REPORT_LEAF_BYTES = 24;

export interface ReportEntry {
  contributionId: number;
  amount: bigint;
}

export function reportLeaf(contributionId: number, amount: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, amount >> 64n);
  view.setBigUint64(8, amount & 0xffff_ffff_ffff_ffffn);
  return concatBytes(u64be(contributionId), out);
}

/** Splits `pot` over the values (same order as given, ids ascending); see the header. */
export function allocate(
  pot: bigint,
  values: { contributionId: number; value: bigint }[],
): bigint[] {
  let positive = 0n;
  for (const v of values) if (v.value > 0n) positive += v.value;
  const amounts = values.map(() => 0n);
  if (positive === 0n || pot === 0n) return amounts;
  const remainders: { index: number; rest: bigint }[] = [];
  let spread = 0n;
  for (const [i, v] of values.entries()) {
    if (v.value <= 0n) continue;
    const share = pot * v.value;
    amounts[i] = share / positive;
    spread += amounts[i]!;
    remainders.push({ index: i, rest: share % positive });
  }
  remainders.sort((a, b) =>
    a.rest === b.rest
      ? values[a.index]!.contributionId - values[b.index]!.contributionId
      : a.rest > b.rest
        ? -1
        : 1,
  );
  for (let r = 0n, i = 0; r < pot - spread; r++, i++) {
    const { index } = remainders[i]!;
    amounts[index] = amounts[index]! + 1n;
  }
  return amounts;
}

function leaves(entries: ReportEntry[]): Uint8Array[] {
  for (let i = 1; i < entries.length; i++)
    if (entries[i]!.contributionId <= entries[i - 1]!.contributionId)
      throw new MeasurementError(
        "MEASUREMENT_REPORT",
        "report entries must be in ascending id order, each once",
      );
  return entries.map((e) => reportLeaf(e.contributionId, e.amount));
}

export function reportRoot(entries: ReportEntry[]): Uint8Array {
  return merkleRoot(leaves(entries));
}

/** The proof that entry `index` is in the report's root. */
export function reportProof(entries: ReportEntry[], index: number): MerkleProof {
  return merkleProof(leaves(entries), index);
}

export function verifyReportProof(
  root: Uint8Array,
  contributionId: number,
  amount: bigint,
  proof: MerkleProof,
): boolean {
  return verifyMerkleProof(root, reportLeaf(contributionId, amount), proof);
}
