// Per-epoch activity the registry records for the emission pallet's health record: contributions
// accepted and rejected, who submitted, whose first contribution was accepted (the contributor
// population), and the high-quality cohort whose retention is measured. Each note is O(1); the
// emission pallet walks the per-epoch sets with bounded work per block.
import { concatBytes, u64be } from "../../../primitives/bytes.ts";
import type { RuntimeContext } from "../../pallet.ts";
import {
  clearRange,
  type RuntimeStorage,
  rangeAfter,
  type StorageRead,
  type StorageScan,
} from "../../storage.ts";
import { currentEpoch } from "../authorities.ts";
import { param } from "../params.ts";
import { MARKER_VALUE, storage } from "./storage.ts";

const epochAccount = (epoch: number, who: Uint8Array) => concatBytes(u64be(epoch), who);

const increment = (
  s: RuntimeContext["storage"],
  map: typeof storage.epochAccepted,
  epoch: number,
) => map.set(s, epoch, (map.get(s, epoch) ?? 0) + 1);

export function noteSubmitted(ctx: RuntimeContext, who: Uint8Array): void {
  const key = epochAccount(currentEpoch(ctx.storage), who);
  if (!storage.epochSubmitters.has(ctx.storage, key))
    storage.epochSubmitters.set(ctx.storage, key, MARKER_VALUE);
}

export function noteAccepted(ctx: RuntimeContext, who: Uint8Array, quality: number): void {
  const s = ctx.storage;
  const epoch = currentEpoch(s);
  increment(s, storage.epochAccepted, epoch);
  if (!storage.firstAccepted.has(s, who)) {
    storage.firstAccepted.set(s, who, epoch);
    storage.newContributors.set(s, epochAccount(epoch, who), MARKER_VALUE);
  }
  if (BigInt(quality) < param(s, "emissionHighQuality")) return;
  storage.highQuality.set(s, epochAccount(epoch, who), MARKER_VALUE);
}

export function noteRejected(ctx: RuntimeContext): void {
  increment(ctx.storage, storage.epochRejected, currentEpoch(ctx.storage));
}

export interface EpochActivity {
  accepted: number;
  rejected: number;
}

export function epochActivity(s: StorageRead, epoch: number): EpochActivity {
  return {
    accepted: storage.epochAccepted.get(s, epoch) ?? 0,
    rejected: storage.epochRejected.get(s, epoch) ?? 0,
  };
}

export function submittedIn(s: StorageRead, epoch: number, who: Uint8Array): boolean {
  return storage.epochSubmitters.has(s, epochAccount(epoch, who));
}

/** Accounts of one of the per-epoch sets, in account order after `after`, at most `limit`. */
const accountsOf = (
  s: StorageScan,
  mapPrefix: Uint8Array,
  epoch: number,
  after: Uint8Array | null,
  limit: number,
): Uint8Array[] =>
  rangeAfter(s, concatBytes(mapPrefix, u64be(epoch)), after, limit).map(([account]) => account);

/** Accounts whose first contribution was accepted in `epoch`. */
export function newContributorsIn(
  s: StorageScan,
  epoch: number,
  after: Uint8Array | null,
  limit: number,
): Uint8Array[] {
  return accountsOf(s, storage.newContributors.prefix, epoch, after, limit);
}

/** The high-quality cohort of `epoch`: accounts with a contribution accepted at high quality. */
export function highQualityIn(
  s: StorageScan,
  epoch: number,
  after: Uint8Array | null,
  limit: number,
): Uint8Array[] {
  return accountsOf(s, storage.highQuality.prefix, epoch, after, limit);
}

/**
 * The per-account activity of `epoch` once its health record is written: its submitters and new
 * contributors, and the high-quality cohort of `cohortEpoch` (whose retention it measured).
 * Deletes at most `limit` keys; returns how many (fewer than `limit`: nothing is left).
 */
export function pruneActivity(
  s: RuntimeStorage,
  epoch: number,
  cohortEpoch: number | null,
  limit: number,
): number {
  let deleted = 0;
  const ranges = [
    concatBytes(storage.epochSubmitters.prefix, u64be(epoch)),
    concatBytes(storage.newContributors.prefix, u64be(epoch)),
    ...(cohortEpoch === null ? [] : [concatBytes(storage.highQuality.prefix, u64be(cohortEpoch))]),
  ];
  for (const prefix of ranges) {
    if (deleted >= limit) break;
    deleted += clearRange(s, prefix, limit - deleted);
  }
  return deleted;
}
