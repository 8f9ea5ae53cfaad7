// The attribution pallet's records as the runtime and its clients see them (amounts as bigint),
// and their protobuf storage encodings (amounts as minimal big-endian bytes).
import { messageType } from "../../../primitives/codec.ts";
import { messageWithAmounts } from "../../storage.ts";
import type { PoolPosition, RewardPool } from "./pool.ts";

const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

export const PPM = 1_000_000n;

/** One line of a training manifest: a datanet version and its share of the data share, in ppm. */
export interface ManifestEntry {
  datanetId: number;
  version: number;
  weightPpm: number;
}

export interface Model {
  owner: Uint8Array;
  metadataUri: string;
  manifest: ManifestEntry[];
  pricePerUnit: bigint;
  /** Share (ppm) of what is left after the protocol fee that goes to the data. */
  dataSharePpm: number;
  retired: boolean;
  registeredAt: number;
}

const withAmounts = <R extends object>(typeName: string, amounts: readonly (keyof R)[]) =>
  messageWithAmounts<R>(T(typeName), amounts);

export const modelCodec = withAmounts<Model>("AttributionModel", ["pricePerUnit"]);
export const poolCodec = withAmounts<RewardPool>("AttributionPool", [
  "scale",
  "liveWeight",
  "acc",
  "carry",
  "deposited",
  "claimed",
]);
export const positionCodec = withAmounts<PoolPosition>("AttributionPosition", [
  "claimed",
  "frozenAcc",
  "forfeited",
]);

/** How one inference payment splits (every part in planck; the parts sum to `total`). */
export interface InferenceSplit {
  total: bigint;
  burned: bigint;
  toTreasury: bigint;
  toOwner: bigint;
  dataShare: bigint;
  /** The data share per manifest entry, in manifest order. */
  perEntry: bigint[];
}
