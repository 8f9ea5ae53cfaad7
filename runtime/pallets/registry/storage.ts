// The registry's storage. Composite keys use the identity hasher over big-endian ids, so that a
// datanet's contributions, an account's contributions, a version's entries and the due queue are
// each one contiguous key range in numeric order: the RPC layer pages through them by prefix.
import { bytesEqual, concatBytes, u32be, u64be } from "../../../primitives/bytes.ts";
import {
  bytesValue,
  compositeKey,
  Hasher,
  rangeAfter,
  type StorageRead,
  type StorageScan,
  storageMap,
  storageValue,
  u32Value,
  u64Value,
  u128Value,
  type ValueCodec,
} from "../../storage.ts";
import {
  type Challenge,
  type Contribution,
  type ContributionStatus,
  type CuratorRecord,
  challengeCodec,
  contributionCodec,
  curatorCodec,
  type Datanet,
  type DatanetVersion,
  datanetCodec,
  FRESH_CURATOR,
  FRESH_REPUTATION,
  type Reputation,
  reputationCodec,
  versionCodec,
} from "./types.ts";

export const NAME = "Registry";

const accountId: ValueCodec<Uint8Array> = { ...bytesValue, type: "AccountId" };

/** What the due queue holds: work the registry does itself when a window ends. */
export const DueKind = {
  reviewExpiry: 0,
  bondRelease: 1,
  /** A challenge's or an appeal's expiry. */
  challengeExpiry: 2,
  /** A rejection's appeal window ends: it stands unless an appeal is open. */
  rejectionStands: 3,
} as const;
export type DueKind = (typeof DueKind)[keyof typeof DueKind];

export const storage = {
  nextDatanetId: storageValue(NAME, "NextDatanetId", u64Value, 0, "Id of the next datanet"),
  datanets: storageMap<number, Datanet>(
    NAME,
    "Datanets",
    u64Value,
    datanetCodec,
    Hasher.identity,
    "Datanets by id",
  ),
  nextContributionId: storageValue(
    NAME,
    "NextContributionId",
    u64Value,
    0,
    "Id of the next contribution (ids are global across datanets)",
  ),
  contributions: storageMap<number, Contribution>(
    NAME,
    "Contributions",
    u64Value,
    contributionCodec,
    Hasher.identity,
    "Contributions by id",
  ),
  contentIndex: storageMap<Uint8Array, number>(
    NAME,
    "ContentIndex",
    compositeKey("(DatanetId, ContentHash)"),
    u64Value,
    Hasher.identity,
    "The contribution holding a content hash in a datanet (duplicates are refused)",
  ),
  byDatanet: storageMap<Uint8Array, number>(
    NAME,
    "ByDatanet",
    compositeKey("(DatanetId, ContributionId)"),
    u32Value,
    Hasher.identity,
    "Index of every datanet's contributions, in id order",
  ),
  byContributor: storageMap<Uint8Array, number>(
    NAME,
    "ByContributor",
    compositeKey("(AccountId, ContributionId)"),
    u32Value,
    Hasher.identity,
    "Index of every account's contributions, in id order",
  ),
  pendingCount: storageMap<Uint8Array, number>(
    NAME,
    "PendingCount",
    compositeKey("(DatanetId, AccountId)"),
    u32Value,
    Hasher.identity,
    "Pending contributions of an account in a datanet",
  ),
  reputation: storageMap<Uint8Array, Reputation>(
    NAME,
    "Reputation",
    accountId,
    reputationCodec,
    Hasher.blake2_128Concat,
    "Reputation of accounts that have been reviewed or challenged",
  ),
  challenges: storageMap<number, Challenge>(
    NAME,
    "Challenges",
    u64Value,
    challengeCodec,
    Hasher.identity,
    "The open challenge of an accepted contribution, or appeal of a rejected one, by contribution id",
  ),
  curators: storageMap<Uint8Array, CuratorRecord>(
    NAME,
    "Curators",
    compositeKey("(DatanetId, AccountId)"),
    curatorCodec,
    Hasher.identity,
    "Curator bonds and records (decisions, stood, overturned, slashed, earned), per datanet and account; owners too",
  ),
  versions: storageMap<Uint8Array, DatanetVersion>(
    NAME,
    "Versions",
    compositeKey("(DatanetId, VersionNumber)"),
    versionCodec,
    Hasher.identity,
    "Published versions of every datanet (numbered from 1)",
  ),
  versionEntries: storageMap<Uint8Array, number>(
    NAME,
    "VersionEntries",
    compositeKey("(DatanetId, VersionNumber, ContributionId)"),
    u64Value,
    Hasher.identity,
    "Weights of the contributions a version froze; in id order they are the Merkle leaves",
  ),
  due: storageMap<Uint8Array, number>(
    NAME,
    "Due",
    compositeKey("(BlockNumber, DueKind, ContributionId)"),
    u32Value,
    Hasher.identity,
    "Review expiries, bond releases, challenge and appeal expiries and rejections standing, by the block they fall due",
  ),
  held: storageMap<Uint8Array, bigint>(
    NAME,
    "Held",
    accountId,
    u128Value,
    Hasher.blake2_128Concat,
    "What the registry holds in reserve from each account (deposits, bonds and review fees)",
  ),
  acceptedIn: storageMap<Uint8Array, number>(
    NAME,
    "AcceptedIn",
    compositeKey("(DatanetId, AccountId)"),
    u32Value,
    Hasher.identity,
    "How many of an account's contributions to a datanet are accepted (not slashed): its stake in the datanet's pools",
  ),
  // ---- per-epoch activity, read by the emission pallet's health record (activity.ts) ----
  epochAccepted: storageMap<number, number>(
    NAME,
    "EpochAccepted",
    u64Value,
    u32Value,
    Hasher.identity,
    "Contributions accepted per epoch",
  ),
  epochRejected: storageMap<number, number>(
    NAME,
    "EpochRejected",
    u64Value,
    u32Value,
    Hasher.identity,
    "Contributions rejected per epoch",
  ),
  epochSubmitters: storageMap<Uint8Array, number>(
    NAME,
    "EpochSubmitters",
    compositeKey("(Epoch, AccountId)"),
    u32Value,
    Hasher.identity,
    "Accounts that submitted a contribution in an epoch",
  ),
  firstAccepted: storageMap<Uint8Array, number>(
    NAME,
    "FirstAccepted",
    accountId,
    u64Value,
    Hasher.blake2_128Concat,
    "The epoch of each account's first accepted contribution",
  ),
  newContributors: storageMap<Uint8Array, number>(
    NAME,
    "NewContributors",
    compositeKey("(Epoch, AccountId)"),
    u32Value,
    Hasher.identity,
    "Accounts whose first contribution was accepted in an epoch",
  ),
  highQuality: storageMap<Uint8Array, number>(
    NAME,
    "HighQuality",
    compositeKey("(Epoch, AccountId)"),
    u32Value,
    Hasher.identity,
    "Accounts with a contribution accepted in an epoch at quality emissionHighQuality or above: the retention cohort",
  ),
};

export { MARKER_VALUE } from "../../storage.ts";

export const keys = {
  content: (datanetId: number, contentHash: Uint8Array) =>
    concatBytes(u64be(datanetId), contentHash),
  byDatanet: (datanetId: number, contributionId: number) =>
    concatBytes(u64be(datanetId), u64be(contributionId)),
  byContributor: (who: Uint8Array, contributionId: number) =>
    concatBytes(who, u64be(contributionId)),
  pending: (datanetId: number, who: Uint8Array) => concatBytes(u64be(datanetId), who),
  curator: (datanetId: number, who: Uint8Array) => concatBytes(u64be(datanetId), who),
  acceptedIn: (datanetId: number, who: Uint8Array) => concatBytes(u64be(datanetId), who),
  version: (datanetId: number, version: number) => concatBytes(u64be(datanetId), u32be(version)),
  versionEntry: (datanetId: number, version: number, contributionId: number) =>
    concatBytes(u64be(datanetId), u32be(version), u64be(contributionId)),
  due: (block: number, kind: DueKind, contributionId: number) =>
    concatBytes(u64be(block), new Uint8Array([kind]), u64be(contributionId)),
};

function readU64(bytes: Uint8Array, offset: number): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getBigUint64(0));
}

// ---- reads: what the RPC layer and other pallets use ----

export function getDatanet(s: StorageRead, id: number): Datanet | undefined {
  return storage.datanets.get(s, id);
}

/** Datanets in id order, from `start` (inclusive), at most `limit`. */
export function listDatanets(
  s: StorageScan,
  start: number,
  limit: number,
): { id: number; datanet: Datanet }[] {
  const out: { id: number; datanet: Datanet }[] = [];
  const next = storage.nextDatanetId.get(s);
  for (let id = start; id < next && out.length < limit; id++) {
    const datanet = getDatanet(s, id);
    if (datanet) out.push({ id, datanet });
  }
  return out;
}

/**
 * Whether `who` has a stake in the datanet's pools — it owns the datanet or has an accepted
 * contribution in it — so that paying for its data returns part of the payment to the payer.
 */
export function isStakeholder(s: StorageRead, datanetId: number, who: Uint8Array): boolean {
  if ((storage.acceptedIn.get(s, keys.acceptedIn(datanetId, who)) ?? 0) > 0) return true;
  const datanet = getDatanet(s, datanetId);
  return datanet !== undefined && bytesEqual(datanet.owner, who);
}

export function getContribution(s: StorageRead, id: number): Contribution | undefined {
  return storage.contributions.get(s, id);
}

/** Ids under `mapPrefix ‖ owner ‖ u64be(id)`, in id order, from `startId`, at most `limit`. */
const idsFrom = (
  s: StorageScan,
  mapPrefix: Uint8Array,
  owner: Uint8Array,
  startId: number,
  limit: number,
): number[] =>
  rangeAfter(s, concatBytes(mapPrefix, owner), startId > 0 ? u64be(startId - 1) : null, limit).map(
    ([id]) => readU64(id, 0),
  );

/** Ids of a datanet's contributions in id order, from `startId`, at most `limit`. */
export function datanetContributionIds(
  s: StorageScan,
  datanetId: number,
  startId = 0,
  limit = Number.MAX_SAFE_INTEGER,
): number[] {
  return idsFrom(s, storage.byDatanet.prefix, u64be(datanetId), startId, limit);
}

/** Ids of an account's contributions in id order, from `startId`, at most `limit`. */
export function contributorContributionIds(
  s: StorageScan,
  who: Uint8Array,
  startId = 0,
  limit = Number.MAX_SAFE_INTEGER,
): number[] {
  return idsFrom(s, storage.byContributor.prefix, who, startId, limit);
}

export function getChallenge(s: StorageRead, contributionId: number): Challenge | undefined {
  return storage.challenges.get(s, contributionId);
}

export function getReputation(s: StorageRead, who: Uint8Array): Reputation {
  return storage.reputation.get(s, who) ?? { ...FRESH_REPUTATION };
}

/** A curator's (or owner's) record in a datanet; a fresh one if it never bonded or decided. */
export function getCurator(s: StorageRead, datanetId: number, who: Uint8Array): CuratorRecord {
  return storage.curators.get(s, keys.curator(datanetId, who)) ?? { ...FRESH_CURATOR };
}

export function pendingCount(s: StorageRead, datanetId: number, who: Uint8Array): number {
  return storage.pendingCount.get(s, keys.pending(datanetId, who)) ?? 0;
}

export function getVersion(
  s: StorageRead,
  datanetId: number,
  version: number,
): DatanetVersion | undefined {
  return storage.versions.get(s, keys.version(datanetId, version));
}

/** A version's (contribution id, weight) entries in id order: exactly its Merkle leaves. */
export function versionEntries(
  s: StorageScan,
  datanetId: number,
  version: number,
): { contributionId: number; weight: number }[] {
  return versionEntriesFrom(s, datanetId, version, 0, Number.MAX_SAFE_INTEGER);
}

/** A version's entries with contribution id ≥ `fromId`, in id order, at most `limit`. */
export function versionEntriesFrom(
  s: StorageScan,
  datanetId: number,
  version: number,
  fromId: number,
  limit: number,
): { contributionId: number; weight: number }[] {
  const prefix = concatBytes(storage.versionEntries.prefix, keys.version(datanetId, version));
  const after = fromId > 0 ? u64be(fromId - 1) : null;
  return rangeAfter(s, prefix, after, limit).map(([id, weight]) => ({
    contributionId: readU64(id, 0),
    weight: readU64(weight, 0),
  }));
}

/** What the registry holds in reserve from `who`. */
export function heldBy(s: StorageRead, who: Uint8Array): bigint {
  return storage.held.get(s, who) ?? 0n;
}

/** Due items up to `block` in due order, at most `limit`. */
export function dueUpTo(
  s: StorageScan,
  block: number,
  limit: number,
): { key: Uint8Array; block: number; kind: DueKind; contributionId: number }[] {
  const out: { key: Uint8Array; block: number; kind: DueKind; contributionId: number }[] = [];
  for (const [key] of rangeAfter(s, storage.due.prefix, null, limit)) {
    const at = readU64(key, 0);
    if (at > block) break;
    out.push({ key, block: at, kind: key[8] as DueKind, contributionId: readU64(key, 9) });
  }
  return out;
}

export interface ContributionFilter {
  datanetId?: number;
  contributor?: Uint8Array;
  status?: ContributionStatus;
}

/**
 * A page of contributions in id order from `startId`, filtered by datanet, contributor and status;
 * `next` is the id to continue from (null at the end). Walks the datanet's or the contributor's
 * index when one is given, otherwise every id; at most `maxScan` records are read per page.
 */
export function listContributions(
  s: StorageScan,
  filter: ContributionFilter,
  startId: number,
  limit: number,
  maxScan = 10_000,
): { items: { id: number; contribution: Contribution }[]; next: number | null } {
  const items: { id: number; contribution: Contribution }[] = [];
  const end = storage.nextContributionId.get(s);
  const candidates: Iterable<number> =
    filter.datanetId !== undefined
      ? datanetContributionIds(s, filter.datanetId, startId)
      : filter.contributor !== undefined
        ? contributorContributionIds(s, filter.contributor, startId)
        : (function* () {
            for (let id = startId; id < end; id++) yield id;
          })();
  let scanned = 0;
  for (const id of candidates) {
    if (items.length >= limit || scanned >= maxScan) return { items, next: id };
    scanned++;
    const contribution = getContribution(s, id);
    if (!contribution) continue;
    if (filter.contributor && !bytesEqual(contribution.contributor, filter.contributor)) continue;
    if (filter.status !== undefined && contribution.status !== filter.status) continue;
    items.push({ id, contribution });
  }
  return { items, next: null };
}

/** The weight a version froze for a contribution; undefined if the contribution is not in it. */
export function versionWeight(
  s: StorageRead,
  datanetId: number,
  version: number,
  contributionId: number,
): number | undefined {
  return storage.versionEntries.get(s, keys.versionEntry(datanetId, version, contributionId));
}
