// What a selected attestor commits before anyone reveals: a hash that binds its report root to the
// model, window, round and its own account, so a commitment can be neither replayed into another
// window nor copied by a lazy attestor (the copy would have to reveal under the copier's account):
//
//   blake2b-256("lineage/attestation/commit/v1" ‖ u64 model ‖ u32 window ‖ u32 round ‖ account ‖
//               root ‖ u128be total (16 bytes) ‖ u64 leafCount ‖ salt (32 bytes))
import { concatBytes, u32be, u64be, utf8 } from "../../../primitives/bytes.ts";
import { blake2b256 } from "../../../primitives/hash.ts";

const COMMIT_DOMAIN = utf8("lineage/attestation/commit/v1");

/**
 * The root an attestor reveals (with total 0 and no leaves) when the window's inputs do not match
 * what the chain committed: a query file that is not the one the log lists, an inputs index that
 * is not the model's. With a quorum it is final like any root: the pot goes by the declared
 * manifest, and the attestors who checked are paid.
 */
export const UNMEASURABLE_ROOT = blake2b256(utf8("lineage/attestation/unmeasurable/v1"));

export interface CommittedReport {
  modelId: number;
  window: number;
  round: number;
  attestor: Uint8Array;
  root: Uint8Array;
  total: bigint;
  leafCount: number;
  salt: Uint8Array;
}

export function commitmentOf(c: CommittedReport): Uint8Array {
  const total = new Uint8Array(16);
  const view = new DataView(total.buffer);
  view.setBigUint64(0, c.total >> 64n);
  view.setBigUint64(8, c.total & 0xffff_ffff_ffff_ffffn);
  return blake2b256(
    concatBytes(
      COMMIT_DOMAIN,
      u64be(c.modelId),
      u32be(c.window),
      u32be(c.round),
      c.attestor,
      c.root,
      total,
      u64be(c.leafCount),
      c.salt,
    ),
  );
}
