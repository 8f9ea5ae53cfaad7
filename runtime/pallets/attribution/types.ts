// The attribution pallet's records as the runtime and its clients see them (amounts as bigint),
// and their protobuf storage encodings (amounts as minimal big-endian bytes).
import { messageType } from "../../../primitives/codec.ts";
import { messageValue, messageWithAmounts } from "../../storage.ts";
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
  /** Present for a measured model: its data share is paid by attestation reports per window. */
  measurement: Measurement | null;
}

/** How a measured model is measured, fixed at registration. */
export interface Measurement {
  methodName: string;
  methodVersion: number;
  /** blake2b-256 of the evaluation inputs index (the committed feature files). */
  inputsHash: Uint8Array;
  inputsUri: string;
  /** `attestationWindowEpochs` when the model was registered: windows never renumber. */
  windowEpochs: number;
  /** The epoch of registration: window w covers epochs startEpoch + w·windowEpochs onwards. */
  startEpoch: number;
  /** An account besides the owner that may commit query logs; empty for none. */
  server: Uint8Array;
}

/** A registered attribution method; the chain never interprets `params`. */
export interface MethodRecord {
  params: Uint8Array;
  specHash: Uint8Array;
  registeredAt: number;
  retired: boolean;
}

/** What a measured model's window holds until it is settled. */
export interface WindowPot {
  /** Data shares plus emission, all of it on the attribution account. */
  held: bigint;
  fees: bigint;
  emission: bigint;
  units: number;
  payments: number;
}

/** How a window's pot was settled: by a final report root, or by the declared manifest. */
export interface Settlement {
  measured: boolean;
  /** The report root claims prove against (measured only). */
  root: Uint8Array;
  leafCount: number;
  /** What the leaves share: the pot less the attestors' fees (measured only). */
  distributable: bigint;
  claimed: bigint;
  settledAt: number;
  /** Paid to the attestors who revealed the final root. */
  fees: bigint;
}

const withAmounts = <R extends object>(typeName: string, amounts: readonly (keyof R)[]) =>
  messageWithAmounts<R>(T(typeName), amounts);

export const modelCodec = messageWithAmounts<Model>(T("AttributionModel"), ["pricePerUnit"], {
  out(w) {
    if (w.measurement === null) delete w.measurement;
  },
  back(w) {
    w.measurement ??= null;
  },
});
export const methodCodec = messageValue<MethodRecord>(T("AttributionMethod"));
export const windowPotCodec = withAmounts<WindowPot>("AttributionWindowPot", [
  "held",
  "fees",
  "emission",
]);
export const settlementCodec = withAmounts<Settlement>("AttributionSettlement", [
  "distributable",
  "claimed",
  "fees",
]);
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
