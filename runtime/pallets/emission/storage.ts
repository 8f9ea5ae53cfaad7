// The emission pallet's storage, its records and the reads the RPC layer, the node's metrics and
// the simulator use. Per-epoch maps key by the epoch first (identity hasher, big-endian) so that
// each epoch's entries are one contiguous range the epoch's close walks with a cursor.
import { u128FromBytes, u128ToBytes } from "../../../primitives/amount.ts";
import { concatBytes, u32be, u64be } from "../../../primitives/bytes.ts";
import { messageType } from "../../../primitives/codec.ts";
import {
  bytesValue,
  compositeKey,
  Hasher,
  messageWithAmounts,
  type StorageRead,
  storageMap,
  storageValue,
  u32Value,
  u64Value,
  u128Value,
  type ValueCodec,
} from "../../storage.ts";
import { param } from "../params.ts";
import type { EmissionParams } from "./schedule.ts";

export const NAME = "Emission";
export const T = (name: string) => messageType("emission.proto", `lineage.emission.v1.${name}`);

/** The phases of an epoch's close, in order. */
export const Phase = {
  validators: 0,
  distribute: 1,
  distributeMeasured: 2,
  newContributors: 3,
  earners: 4,
  gini: 5,
  retention: 6,
  prune: 7,
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export interface CloseJob {
  epoch: number;
  phase: Phase;
  /** Where the current phase's walk stopped (a storage key suffix; empty: from the start). */
  cursor: Uint8Array;
  /** In the earners phase: the last version entry done inside the current pool (0: none yet). */
  entryCursor: number;
  scheduled: bigint;
  validatorShare: bigint;
  contributorCap: bigint;
  /** What contributors receive in all this epoch (min(share, k·volume, λ·protocol fees)). */
  contributorEmission: bigint;
  eligibleFees: bigint;
  /** The protocol fees real payments paid: the weights of the contributors' split. */
  protocolFees: bigint;
  /** The weight already paid in the current proportional split (blocks, then eligible fees). */
  cumulative: bigint;
  validatorsMinted: bigint;
  contributorsMinted: bigint;
  treasuryMinted: bigint;
  earners: number;
  earnedTotal: bigint;
  giniWeighted: bigint;
  giniRank: number;
  cohort: number;
  retained: number;
  /** R when the epoch's close opened: the cohort is that of epoch − R. */
  retentionEpochs: number;
}

export interface HealthRecord {
  epoch: number;
  /** The block whose execution completed the record. */
  closedAt: number;
  scheduled: bigint;
  validators: bigint;
  contributors: bigint;
  treasury: bigint;
  /** k × volume: the most contributors could receive from the volume side. */
  contributorCap: bigint;
  volume: bigint;
  selfDealing: bigint;
  /** The part of the volume whose payers have a stake in the data they paid for. */
  suspectedWash: bigint;
  /** Data fees pools earned from payments that were not self-dealing. */
  eligibleFees: bigint;
  /** Protocol fees those payments paid (burned or the treasury's): λ × this caps contributors. */
  protocolFees: bigint;
  /** Minted (all shares) × 10⁶ / volume; null when there was no volume. */
  emissionPerVolumePpm: bigint | null;
  payers: number;
  activeContributors: number;
  passiveContributors: number;
  accepted: number;
  rejected: number;
  cohort: number;
  retained: number;
  /** retained × 10⁶ / cohort; null when the cohort is empty. */
  retentionPpm: number | null;
  earners: number;
  giniPpm: number;
  /** Total issuance at the end of the epoch's last block (before the epoch's emission). */
  totalIssuance: bigint;
}

const jobCodec = messageWithAmounts<CloseJob>(T("EmissionJob"), [
  "scheduled",
  "validatorShare",
  "contributorCap",
  "contributorEmission",
  "eligibleFees",
  "protocolFees",
  "cumulative",
  "validatorsMinted",
  "contributorsMinted",
  "treasuryMinted",
  "earnedTotal",
  "giniWeighted",
]);

const healthCodec = messageWithAmounts<HealthRecord>(
  T("EmissionHealth"),
  [
    "scheduled",
    "validators",
    "contributors",
    "treasury",
    "contributorCap",
    "volume",
    "selfDealing",
    "suspectedWash",
    "eligibleFees",
    "protocolFees",
    "totalIssuance",
  ],
  {
    // The two nullable figures travel with a presence flag.
    out(w) {
      w.hasVolume = w.emissionPerVolumePpm !== null;
      w.emissionPerVolumePpm = u128ToBytes((w.emissionPerVolumePpm as bigint | null) ?? 0n);
      w.hasCohort = w.retentionPpm !== null;
      w.retentionPpm = w.retentionPpm ?? 0;
    },
    back(w) {
      const ratio = u128FromBytes(w.emissionPerVolumePpm as Uint8Array);
      w.emissionPerVolumePpm = w.hasVolume ? ratio : null;
      w.retentionPpm = w.hasCohort ? w.retentionPpm : null;
      delete w.hasVolume;
      delete w.hasCohort;
    },
  },
);

const accountId: ValueCodec<Uint8Array> = { ...bytesValue, type: "AccountId" };

export const storage = {
  scheduled: storageValue(
    NAME,
    "Scheduled",
    u128Value,
    0n,
    "Supply scheduled so far: the genesis issuance plus every closed epoch's schedule, minted or not",
  ),
  nextToMint: storageValue(
    NAME,
    "NextToMint",
    u64Value,
    0,
    "The epoch whose emission is pending or being minted; every earlier epoch's is paid",
  ),
  nextToClose: storageValue(
    NAME,
    "NextToClose",
    u64Value,
    0,
    "The epoch whose health record is pending or in progress; every earlier epoch has its record",
  ),
  job: storageMap<number, CloseJob>(
    NAME,
    "Job",
    u64Value,
    jobCodec,
    Hasher.identity,
    "Closes in progress, by epoch: NextToClose up to NextToMint (minted, statistics pending)",
  ),
  epochBlocks: storageMap<Uint8Array, number>(
    NAME,
    "EpochBlocks",
    compositeKey("(Epoch, AccountId)"),
    u32Value,
    Hasher.identity,
    "Blocks each validator authored per epoch",
  ),
  epochBlockTotal: storageMap<number, number>(
    NAME,
    "EpochBlockTotal",
    u64Value,
    u32Value,
    Hasher.identity,
    "Blocks authored per epoch",
  ),
  poolEmission: storageMap<Uint8Array, bigint>(
    NAME,
    "PoolEmission",
    compositeKey("(Epoch, DatanetId, VersionNumber)"),
    u128Value,
    Hasher.identity,
    "Emission minted into each version pool per epoch",
  ),
  earned: storageMap<Uint8Array, bigint>(
    NAME,
    "Earned",
    compositeKey("(Epoch, AccountId)"),
    u128Value,
    Hasher.identity,
    "What each account's contributions earned in an epoch (eligible fees and emission)",
  ),
  earnedSorted: storageMap<Uint8Array, number>(
    NAME,
    "EarnedSorted",
    compositeKey("(Epoch, Amount u128 big-endian, AccountId)"),
    u32Value,
    Hasher.identity,
    "The epoch's earnings in ascending order, for the Gini walk (removed as it is walked)",
  ),
  lastActive: storageMap<Uint8Array, number>(
    NAME,
    "LastActive",
    accountId,
    u64Value,
    Hasher.blake2_128Concat,
    "For each contributor with accepted data: the later of its first acceptance's epoch and its last earning epoch",
  ),
  activeBucket: storageMap<number, number>(
    NAME,
    "ActiveBucket",
    u64Value,
    u32Value,
    Hasher.identity,
    "How many contributors have each epoch as their LastActive",
  ),
  passive: storageValue(
    NAME,
    "Passive",
    u32Value,
    0,
    "Passive contributors: those whose LastActive is below PassiveBelow",
  ),
  passiveBelow: storageValue(
    NAME,
    "PassiveBelow",
    u64Value,
    0,
    "Epochs below this one are at least emissionPassiveEpochs behind the last closed epoch",
  ),
  endIssuance: storageMap<number, bigint>(
    NAME,
    "EndIssuance",
    u64Value,
    u128Value,
    Hasher.identity,
    "Total issuance at the end of each epoch not yet recorded (written at every block's end)",
  ),
  health: storageMap<number, HealthRecord>(
    NAME,
    "Health",
    u64Value,
    healthCodec,
    Hasher.identity,
    "The economic health record of every closed epoch",
  ),
};

export const keys = {
  epochAccount: (epoch: number, who: Uint8Array) => concatBytes(u64be(epoch), who),
  epochPool: (epoch: number, datanetId: number, version: number) =>
    concatBytes(u64be(epoch), u64be(datanetId), u32be(version)),
  earnedSorted: (epoch: number, amount: bigint, who: Uint8Array) =>
    concatBytes(u64be(epoch), u128Value.encode(amount), who),
};

export function emissionParams(s: StorageRead): EmissionParams {
  return {
    maxSupply: param(s, "emissionMaxSupply"),
    ratePpm: param(s, "emissionRatePpm"),
    validatorPpm: param(s, "emissionValidatorPpm"),
    contributorPpm: param(s, "emissionContributorPpm"),
    treasuryPpm: param(s, "emissionTreasuryPpm"),
    volumeFactorPpm: param(s, "emissionVolumeFactorPpm"),
    feeMultiplePpm: param(s, "emissionFeeMultiplePpm"),
  };
}

// ---- reads ----

export function healthRecord(s: StorageRead, epoch: number): HealthRecord | undefined {
  return storage.health.get(s, epoch);
}

/** The epoch whose health record is pending or being written (every earlier one has its record). */
export function closingEpoch(s: StorageRead): number {
  return storage.nextToClose.get(s);
}

/** The latest epoch with a health record, or undefined before the first close completes. */
export function latestHealthEpoch(s: StorageRead): number | undefined {
  const next = closingEpoch(s);
  return next === 0 ? undefined : next - 1;
}

/** Emission minted into one version pool for an epoch. */
export function poolEmission(
  s: StorageRead,
  epoch: number,
  datanetId: number,
  version: number,
): bigint {
  return storage.poolEmission.get(s, keys.epochPool(epoch, datanetId, version)) ?? 0n;
}

/** Supply scheduled so far (genesis issuance plus closed epochs' schedules). */
export function scheduledSupply(s: StorageRead): bigint {
  return storage.scheduled.get(s);
}

/** The first epoch whose schedule has not been taken yet (projections start there). */
export function nextUnscheduledEpoch(s: StorageRead): number {
  const minting = storage.nextToMint.get(s);
  return storage.job.has(s, minting) ? minting + 1 : minting;
}
