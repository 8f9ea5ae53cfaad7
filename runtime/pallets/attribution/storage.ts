// The attribution pallet's storage and the reads the RPC layer, the wallet and the emission
// pallet use. Composite keys use the identity hasher over big-endian ids so that each map is one
// contiguous key range in numeric order.
import { concatBytes, u32be, u64be, utf8 } from "../../../primitives/bytes.ts";
import { blake2b256 } from "../../../primitives/hash.ts";
import {
  clearRange,
  compositeKey,
  Hasher,
  type RuntimeStorage,
  rangeAfter,
  type StorageRead,
  type StorageScan,
  storageMap,
  storageValue,
  u32Value,
  u64Value,
  u128Value,
} from "../../storage.ts";
import {
  contributorContributionIds,
  getContribution,
  getDatanet,
  versionWeight,
} from "../registry/index.ts";
import { ContributionStatus } from "../registry/types.ts";
import { NAME } from "./errors.ts";
import {
  FRESH_POSITION,
  type PoolPosition,
  claimable as poolClaimable,
  type RewardPool,
} from "./pool.ts";
import { splitInference } from "./split.ts";
import { type InferenceSplit, type Model, modelCodec, poolCodec, positionCodec } from "./types.ts";

/** The account that holds every pool's funds: a key nobody holds. */
export const ATTRIBUTION_ACCOUNT = blake2b256(utf8("lineage/attribution"));

export const storage = {
  nextModelId: storageValue(NAME, "NextModelId", u64Value, 0, "Id of the next model"),
  models: storageMap<number, Model>(
    NAME,
    "Models",
    u64Value,
    modelCodec,
    Hasher.identity,
    "Models by id",
  ),
  pools: storageMap<Uint8Array, RewardPool>(
    NAME,
    "Pools",
    compositeKey("(DatanetId, VersionNumber)"),
    poolCodec,
    Hasher.identity,
    "The reward pool of each datanet version that has been paid or had a slash noted",
  ),
  positions: storageMap<Uint8Array, PoolPosition>(
    NAME,
    "Positions",
    compositeKey("(DatanetId, VersionNumber, ContributionId)"),
    positionCodec,
    Hasher.identity,
    "What each contribution has claimed from a pool and whether its slash is noted (written lazily)",
  ),
  licences: storageMap<Uint8Array, number>(
    NAME,
    "Licences",
    compositeKey("(DatanetId, VersionNumber, AccountId)"),
    u64Value,
    Hasher.identity,
    "The block at which an account licensed a datanet version",
  ),
  epochVolume: storageMap<number, bigint>(
    NAME,
    "EpochVolume",
    u64Value,
    u128Value,
    Hasher.identity,
    "Marketplace volume (inference and licences) per epoch, self-dealing excluded",
  ),
  epochSelfDealing: storageMap<number, bigint>(
    NAME,
    "EpochSelfDealing",
    u64Value,
    u128Value,
    Hasher.identity,
    "Payments per epoch whose payer is the model's or datanet's owner",
  ),
  epochSuspectedWash: storageMap<number, bigint>(
    NAME,
    "EpochSuspectedWash",
    u64Value,
    u128Value,
    Hasher.identity,
    "Real payments per epoch whose payer has a stake in the data it paid for (owns one of its datanets or has an accepted contribution in one): part of the payment returns to the payer",
  ),
  epochPoolFees: storageMap<Uint8Array, bigint>(
    NAME,
    "EpochPoolFees",
    compositeKey("(Epoch, DatanetId, VersionNumber)"),
    u128Value,
    Hasher.identity,
    "Data fees each version pool earned per epoch (self-dealing included: it is paid all the same)",
  ),
  epochEligibleFees: storageMap<Uint8Array, bigint>(
    NAME,
    "EpochEligibleFees",
    compositeKey("(Epoch, DatanetId, VersionNumber)"),
    u128Value,
    Hasher.identity,
    "Data fees each version pool earned per epoch from payments that were not self-dealing: the shares of the epoch's contributor emission",
  ),
  epochProtocolFees: storageMap<Uint8Array, bigint>(
    NAME,
    "EpochProtocolFees",
    compositeKey("(Epoch, DatanetId, VersionNumber)"),
    u128Value,
    Hasher.identity,
    "The protocol fees that payments into each version pool paid per epoch, self-dealing excluded: the weights of the epoch's contributor emission",
  ),
  epochProtocolTotal: storageMap<number, bigint>(
    NAME,
    "EpochProtocolTotal",
    u64Value,
    u128Value,
    Hasher.identity,
    "The sum of an epoch's protocol-fee weights, pools and measured windows: λ × this caps contributors' emission",
  ),
  epochEligibleTotal: storageMap<number, bigint>(
    NAME,
    "EpochEligibleTotal",
    u64Value,
    u128Value,
    Hasher.identity,
    "The sum of an epoch's eligible fees",
  ),
  epochPayers: storageMap<Uint8Array, number>(
    NAME,
    "EpochPayers",
    compositeKey("(Epoch, AccountId)"),
    u32Value,
    Hasher.identity,
    "Accounts that paid in an epoch (self-dealing excluded)",
  ),
  epochPayerCount: storageMap<number, number>(
    NAME,
    "EpochPayerCount",
    u64Value,
    u32Value,
    Hasher.identity,
    "Distinct paying accounts per epoch (self-dealing excluded)",
  ),
};

export const keys = {
  pool: (datanetId: number, version: number) => concatBytes(u64be(datanetId), u32be(version)),
  position: (datanetId: number, version: number, contributionId: number) =>
    concatBytes(u64be(datanetId), u32be(version), u64be(contributionId)),
  licence: (datanetId: number, version: number, who: Uint8Array) =>
    concatBytes(u64be(datanetId), u32be(version), who),
  epochPool: (epoch: number, datanetId: number, version: number) =>
    concatBytes(u64be(epoch), u64be(datanetId), u32be(version)),
  epochPayer: (epoch: number, who: Uint8Array) => concatBytes(u64be(epoch), who),
};

// ---- reads ----

export function getModel(s: StorageRead, id: number): Model | undefined {
  return storage.models.get(s, id);
}

/** Models in id order from `start`, at most `limit`. */
export function listModels(
  s: StorageRead,
  start: number,
  limit: number,
): { id: number; model: Model }[] {
  const out: { id: number; model: Model }[] = [];
  const next = storage.nextModelId.get(s);
  for (let id = start; id < next && out.length < limit; id++) {
    const model = getModel(s, id);
    if (model) out.push({ id, model });
  }
  return out;
}

export function getPool(
  s: StorageRead,
  datanetId: number,
  version: number,
): RewardPool | undefined {
  return storage.pools.get(s, keys.pool(datanetId, version));
}

export function getPosition(
  s: StorageRead,
  datanetId: number,
  version: number,
  contributionId: number,
): PoolPosition {
  return (
    storage.positions.get(s, keys.position(datanetId, version, contributionId)) ?? {
      ...FRESH_POSITION,
    }
  );
}

export function hasLicence(
  s: StorageRead,
  datanetId: number,
  version: number,
  who: Uint8Array,
): boolean {
  return storage.licences.has(s, keys.licence(datanetId, version, who));
}

/**
 * What a contribution can claim from a version's pool now: nothing once slashed (a claim notes a
 * pending slash first, which forfeits what was not claimed).
 */
export function claimableFor(
  s: StorageRead,
  datanetId: number,
  version: number,
  contributionId: number,
): bigint {
  const pool = getPool(s, datanetId, version);
  const weight = versionWeight(s, datanetId, version, contributionId);
  if (!pool || weight === undefined) return 0n;
  if (getContribution(s, contributionId)?.status === ContributionStatus.slashed) return 0n;
  return poolClaimable(pool, BigInt(weight), getPosition(s, datanetId, version, contributionId));
}

/** Whether a contribution's slash still has to be noted in a pool. */
export function slashPending(
  s: StorageRead,
  datanetId: number,
  version: number,
  contributionId: number,
): boolean {
  const c = getContribution(s, contributionId);
  return (
    c?.status === ContributionStatus.slashed &&
    !getPosition(s, datanetId, version, contributionId).slashed
  );
}

export interface EpochCounters {
  volume: bigint;
  selfDealing: bigint;
  /** Part of the volume: payments whose payer has a stake in the data it paid for. */
  suspectedWash: bigint;
  distinctPayers: number;
  /** Data fees paid into pools by payments that were not self-dealing. */
  eligibleFees: bigint;
  /** Protocol fees those payments paid: the weights (and, × λ, the cap) of contributor emission. */
  protocolFees: bigint;
}

export function epochCounters(s: StorageRead, epoch: number): EpochCounters {
  return {
    volume: storage.epochVolume.get(s, epoch) ?? 0n,
    selfDealing: storage.epochSelfDealing.get(s, epoch) ?? 0n,
    suspectedWash: storage.epochSuspectedWash.get(s, epoch) ?? 0n,
    distinctPayers: storage.epochPayerCount.get(s, epoch) ?? 0,
    eligibleFees: storage.epochEligibleTotal.get(s, epoch) ?? 0n,
    protocolFees: storage.epochProtocolTotal.get(s, epoch) ?? 0n,
  };
}

export interface EpochPoolFee {
  datanetId: number;
  version: number;
  fees: bigint;
}

/**
 * An epoch's eligible (not self-dealing) pool fees in (datanet, version) order, starting after
 * the pool `after` when given, at most `limit`: the emission pallet walks them with bounded work
 * per block.
 */
export function epochEligibleFees(
  s: StorageScan,
  epoch: number,
  after: { datanetId: number; version: number } | null,
  limit: number,
): EpochPoolFee[] {
  const prefix = concatBytes(storage.epochEligibleFees.prefix, u64be(epoch));
  const cursor = after ? keys.pool(after.datanetId, after.version) : null;
  return rangeAfter(s, prefix, cursor, limit).map(([pool, value]) => {
    const view = new DataView(pool.buffer, pool.byteOffset, 12);
    return {
      datanetId: Number(view.getBigUint64(0)),
      version: view.getUint32(8),
      fees: u128Value.decode(value),
    };
  });
}

/** An epoch's pools' protocol-fee weights in (datanet, version) order, after `after`, at most `limit`. */
export function epochProtocolFees(
  s: StorageScan,
  epoch: number,
  after: { datanetId: number; version: number } | null,
  limit: number,
): EpochPoolFee[] {
  const prefix = concatBytes(storage.epochProtocolFees.prefix, u64be(epoch));
  const cursor = after ? keys.pool(after.datanetId, after.version) : null;
  return rangeAfter(s, prefix, cursor, limit).map(([pool, value]) => {
    const view = new DataView(pool.buffer, pool.byteOffset, 12);
    return {
      datanetId: Number(view.getBigUint64(0)),
      version: view.getUint32(8),
      fees: u128Value.decode(value),
    };
  });
}

export function epochPoolFees(
  s: StorageRead,
  epoch: number,
  datanetId: number,
  version: number,
): bigint {
  return storage.epochPoolFees.get(s, keys.epochPool(epoch, datanetId, version)) ?? 0n;
}

/** The price of `units` inference units of a model and its split; undefined for unknown models. */
export function quoteInference(
  s: StorageRead,
  modelId: number,
  units: bigint,
): InferenceSplit | undefined {
  const model = getModel(s, modelId);
  return model ? splitInference(s, model, units) : undefined;
}

export interface ClaimableEntry {
  datanetId: number;
  version: number;
  contributionId: number;
  amount: bigint;
}

/**
 * What an account's contributions can claim, per version that holds them and has a pool, from
 * contribution `startId`, reading at most `limit` contributions.
 */
export function claimableByContributor(
  s: StorageScan,
  who: Uint8Array,
  startId = 0,
  limit = 1_000,
): ClaimableEntry[] {
  const out: ClaimableEntry[] = [];
  for (const contributionId of contributorContributionIds(s, who, startId, limit)) {
    const c = getContribution(s, contributionId);
    const datanet = c && getDatanet(s, c.datanetId);
    if (!c || !datanet) continue;
    for (let version = 1; version <= datanet.versionCount; version++) {
      const amount = claimableFor(s, c.datanetId, version, contributionId);
      if (amount > 0n) out.push({ datanetId: c.datanetId, version, contributionId, amount });
    }
  }
  return out;
}

/**
 * Deletes up to `limit` of an epoch's payer entries, once its distinct payers are counted into
 * its health record; returns how many (fewer than `limit`: none is left).
 */
export function prunePayers(s: RuntimeStorage, epoch: number, limit: number): number {
  return clearRange(s, concatBytes(storage.epochPayers.prefix, u64be(epoch)), limit);
}
