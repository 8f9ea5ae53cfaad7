// Closing an epoch: minting its emission and writing its health record, with bounded work per
// block. An epoch's close starts in the first block of a later epoch and goes through phases, each
// a walk over one contiguous per-epoch key range with a cursor kept in the job record; a block
// does at most `emissionMaxStepsPerBlock` items (authors, pools, version entries, earners, cohort
// members), so no block does unbounded work however many contributors earned. The record is
// written by the block that finishes the last phase.
//
//   validators       the validators' share, split by blocks authored (exact cumulative split)
//   distribute       the contributors' emission into version pools, by the protocol fees their
//                    real payments paid (a floor per pool: never more than λ × those fees)
//   distributeMeasured  the same into measured windows' pots
//   newContributors  accounts whose first contribution was accepted join the population
//   earners          each live contribution of each earning pool: its earnings this epoch
//                    (pool income × weight / live weight), summed per account and indexed in
//                    ascending order of amount (a storage key ordered by amount)
//   gini             walks that index in order: Σ i·xᵢ gives the Gini coefficient exactly
//   retention        the high-quality cohort of R epochs ago: who submitted this epoch (earnings
//                    do not count: a trickle from old data is not a contributor who stayed)
//   prune            the epoch's per-account entries, no longer read, are deleted
import { checkedAdd, u128ToBytes } from "../../../primitives/amount.ts";
import { concatBytes, u32be, u64be } from "../../../primitives/bytes.ts";
import type { RuntimeContext } from "../../pallet.ts";
import { clearRange, type RuntimeStorage, rangeAfter } from "../../storage.ts";
import {
  epochCounters,
  epochEligibleFees,
  epochMeasuredFees,
  epochProtocolFees,
  getPool,
  measuredKeys,
  mintIntoPool,
  mintIntoWindow,
  prunePayers,
} from "../attribution/index.ts";
import { mint, totalIssuance } from "../balances.ts";
import { param } from "../params.ts";
import {
  ContributionStatus,
  epochActivity,
  getContribution,
  highQualityIn,
  newContributorsIn,
  pruneActivity,
  submittedIn,
  versionEntriesFrom,
} from "../registry/index.ts";
import { TREASURY_ACCOUNT } from "../transaction-payment.ts";
import { emitEvent } from "./events.ts";
import {
  epochEmission,
  floorShare,
  giniPpm,
  minOf,
  PPM,
  proportionalShare,
  scheduleFor,
} from "./schedule.ts";
import {
  type CloseJob,
  emissionParams,
  type HealthRecord,
  keys,
  NAME,
  Phase,
  storage,
} from "./storage.ts";

const EMPTY = new Uint8Array();

/** Counts the block's author towards the current epoch's validator rewards. */
export function countAuthor(ctx: RuntimeContext, epoch: number): void {
  if (!ctx.author) return;
  const s = ctx.storage;
  const key = keys.epochAccount(epoch, ctx.author);
  storage.epochBlocks.set(s, key, (storage.epochBlocks.get(s, key) ?? 0) + 1);
  storage.epochBlockTotal.set(s, epoch, (storage.epochBlockTotal.get(s, epoch) ?? 0) + 1);
}

/**
 * Advances the closes of epochs before `current` by at most the block's step budget. Minting runs
 * ahead: the validators' and pools' emission of every ended epoch is paid before any budget goes
 * to the statistics walks, so a large health record can delay records, never payments.
 */
export function advanceCloses(ctx: RuntimeContext, current: number): void {
  const s = ctx.storage;
  let budget = Number(param(s, "emissionMaxStepsPerBlock"));
  while (budget > 0) {
    const epoch = storage.nextToMint.get(s);
    if (epoch >= current) break;
    const job = storage.job.get(s, epoch) ?? openJob(ctx, epoch);
    budget = step(ctx, job, budget);
  }
  while (budget > 0) {
    const epoch = storage.nextToClose.get(s);
    if (epoch >= storage.nextToMint.get(s)) break;
    budget = step(ctx, storage.job.get(s, epoch)!, budget);
  }
}

/** Never mints past the maximum supply, whatever governance did to it since the schedule. */
function capped(s: RuntimeStorage, amount: bigint): bigint {
  const room = param(s, "emissionMaxSupply") - totalIssuance(s);
  return room <= 0n ? 0n : minOf(amount, room);
}

function openJob(ctx: RuntimeContext, epoch: number): CloseJob {
  const s = ctx.storage;
  const p = emissionParams(s);
  const before = storage.scheduled.get(s);
  const scheduled = scheduleFor(p, before);
  storage.scheduled.set(s, checkedAdd(before, scheduled));
  const counters = epochCounters(s, epoch);
  const e = epochEmission(p, scheduled, counters.volume, counters.protocolFees);
  const treasuryMinted = mint(ctx, TREASURY_ACCOUNT, capped(s, e.treasury));
  return {
    epoch,
    phase: Phase.validators,
    cursor: EMPTY,
    entryCursor: 0,
    scheduled,
    validatorShare: e.validators,
    contributorCap: e.contributorCap,
    contributorEmission: e.contributors,
    eligibleFees: counters.eligibleFees,
    protocolFees: counters.protocolFees,
    cumulative: 0n,
    validatorsMinted: 0n,
    contributorsMinted: 0n,
    treasuryMinted,
    earners: 0,
    earnedTotal: 0n,
    giniWeighted: 0n,
    giniRank: 0,
    cohort: 0,
    retained: 0,
    retentionEpochs: Number(param(s, "emissionRetentionEpochs")),
  };
}

const u128 = u128ToBytes;

/**
 * Runs the job's phases within `budget` steps; returns the budget left. Saves the job, hands it
 * from minting to the statistics when its pools are paid, or finishes it.
 */
function step(ctx: RuntimeContext, job: CloseJob, budget: number): number {
  let left = budget;
  let j = job;
  while (left > 0) {
    const out = PHASES[j.phase](ctx, j, left);
    left = out.left;
    j = out.job;
    if (!out.done) break;
    if (j.phase === Phase.prune) {
      finish(ctx, j);
      return left;
    }
    j = { ...j, phase: (j.phase + 1) as Phase, cursor: EMPTY, entryCursor: 0, cumulative: 0n };
    if (j.phase === Phase.newContributors) {
      // Minting is complete: the statistics continue when the earlier epochs' are done.
      storage.job.set(ctx.storage, j.epoch, j);
      storage.nextToMint.set(ctx.storage, j.epoch + 1);
      return left;
    }
  }
  storage.job.set(ctx.storage, j.epoch, j);
  return left;
}

interface PhaseOutcome {
  job: CloseJob;
  left: number;
  /** The phase's walk is complete. */
  done: boolean;
}

type PhaseStep = (ctx: RuntimeContext, job: CloseJob, budget: number) => PhaseOutcome;

/** The per-epoch (epoch, account) entries of a map after the cursor, at most `limit`. */
const epochAccounts = (
  s: RuntimeStorage,
  mapPrefix: Uint8Array,
  epoch: number,
  cursor: Uint8Array,
  limit: number,
) => rangeAfter(s, concatBytes(mapPrefix, u64be(epoch)), cursor.length > 0 ? cursor : null, limit);

const validatorsPhase: PhaseStep = (ctx, job, budget) => {
  const s = ctx.storage;
  const total = BigInt(storage.epochBlockTotal.get(s, job.epoch) ?? 0);
  const batch = epochAccounts(s, storage.epochBlocks.prefix, job.epoch, job.cursor, budget);
  let j = job;
  for (const [author, value] of batch) {
    const blocks = BigInt(new DataView(value.buffer, value.byteOffset, 4).getUint32(0));
    const share = proportionalShare(j.validatorShare, j.cumulative, j.cumulative + blocks, total);
    const minted = mint(ctx, author, capped(s, share));
    emitEvent(ctx, "ValidatorRewarded", {
      epoch: j.epoch,
      account: author,
      blocks: Number(blocks),
      amount: u128(minted),
    });
    j = {
      ...j,
      cursor: author,
      cumulative: j.cumulative + blocks,
      validatorsMinted: j.validatorsMinted + minted,
    };
  }
  return { job: j, left: budget - batch.length, done: batch.length < budget };
};

const poolCursor = (datanetId: number, version: number) =>
  concatBytes(u64be(datanetId), u32be(version));

function readPoolCursor(cursor: Uint8Array): { datanetId: number; version: number } | null {
  if (cursor.length !== 12) return null;
  const view = new DataView(cursor.buffer, cursor.byteOffset, 12);
  return { datanetId: Number(view.getBigUint64(0)), version: view.getUint32(8) };
}

/**
 * The contributors' emission into version pools: each pool ⌊E · f / F⌋, f the protocol fees its
 * real payments paid and F all of them (pools and windows). The floor never rounds up, so a pool
 * never draws more than λ × its own payments' protocol fees (what the floors leave is not minted).
 */
const distributePhase: PhaseStep = (ctx, job, budget) => {
  const s = ctx.storage;
  if (job.contributorEmission === 0n) return { job, left: budget, done: true };
  const batch = epochProtocolFees(s, job.epoch, readPoolCursor(job.cursor), budget);
  let j = job;
  for (const pool of batch) {
    const share = floorShare(j.contributorEmission, pool.fees, j.protocolFees);
    const minted = mintIntoPool(ctx, pool.datanetId, pool.version, capped(s, share));
    if (minted > 0n) {
      storage.poolEmission.set(s, keys.epochPool(j.epoch, pool.datanetId, pool.version), minted);
      emitEvent(ctx, "PoolRewarded", {
        epoch: j.epoch,
        datanetId: pool.datanetId,
        version: pool.version,
        amount: u128(minted),
      });
    }
    j = {
      ...j,
      cursor: poolCursor(pool.datanetId, pool.version),
      contributorsMinted: j.contributorsMinted + minted,
    };
  }
  return { job: j, left: budget - batch.length, done: batch.length < budget };
};

/** The measured windows' part of the contributors' emission, into their pots, the same way. */
const distributeMeasuredPhase: PhaseStep = (ctx, job, budget) => {
  const s = ctx.storage;
  if (job.contributorEmission === 0n) return { job, left: budget, done: true };
  const after = job.cursor.length === 12 ? readWindowCursor(job.cursor) : null;
  const batch = epochMeasuredFees(s, job.epoch, after, budget);
  let j = job;
  for (const w of batch) {
    const share = floorShare(j.contributorEmission, w.fees, j.protocolFees);
    const minted = mintIntoWindow(ctx, w.modelId, w.window, capped(s, share));
    if (minted > 0n)
      emitEvent(ctx, "WindowRewarded", {
        epoch: j.epoch,
        modelId: w.modelId,
        window: w.window,
        amount: u128(minted),
      });
    j = {
      ...j,
      cursor: measuredKeys.window(w.modelId, w.window),
      contributorsMinted: j.contributorsMinted + minted,
    };
  }
  return { job: j, left: budget - batch.length, done: batch.length < budget };
};

function readWindowCursor(cursor: Uint8Array): { modelId: number; window: number } {
  const view = new DataView(cursor.buffer, cursor.byteOffset, 12);
  return { modelId: Number(view.getBigUint64(0)), window: view.getUint32(8) };
}

function moveBucket(s: RuntimeStorage, from: number | undefined, to: number): void {
  if (from !== undefined) {
    const count = (storage.activeBucket.get(s, from) ?? 0) - 1;
    if (count > 0) storage.activeBucket.set(s, from, count);
    else storage.activeBucket.remove(s, from);
    if (from < storage.passiveBelow.get(s)) storage.passive.set(s, storage.passive.get(s) - 1);
  }
  storage.activeBucket.set(s, to, (storage.activeBucket.get(s, to) ?? 0) + 1);
}

/** Marks `who` active in `epoch` (its first acceptance or an earning). */
function markActive(s: RuntimeStorage, who: Uint8Array, epoch: number): void {
  const last = storage.lastActive.get(s, who);
  if (last !== undefined && last >= epoch) return;
  moveBucket(s, last, epoch);
  storage.lastActive.set(s, who, epoch);
}

const newContributorsPhase: PhaseStep = (ctx, job, budget) => {
  const s = ctx.storage;
  const batch = newContributorsIn(s, job.epoch, job.cursor.length > 0 ? job.cursor : null, budget);
  for (const who of batch) markActive(s, who, job.epoch);
  const cursor = batch.length > 0 ? batch[batch.length - 1]! : job.cursor;
  return { job: { ...job, cursor }, left: budget - batch.length, done: batch.length < budget };
};

function addEarning(s: RuntimeStorage, job: CloseJob, who: Uint8Array, amount: bigint): CloseJob {
  const key = keys.epochAccount(job.epoch, who);
  const old = storage.earned.get(s, key) ?? 0n;
  const now = old + amount;
  if (old > 0n) storage.earnedSorted.remove(s, keys.earnedSorted(job.epoch, old, who));
  else markActive(s, who, job.epoch);
  storage.earnedSorted.set(s, keys.earnedSorted(job.epoch, now, who), 0);
  storage.earned.set(s, key, now);
  return {
    ...job,
    earners: old > 0n ? job.earners : job.earners + 1,
    earnedTotal: job.earnedTotal + amount,
  };
}

const earnersPhase: PhaseStep = (ctx, job, budget) => {
  const s = ctx.storage;
  // Every range read first, then the writes: a range read scans the block's buffered writes, so
  // reading each pool's entries after the previous pool's earnings were written would cost
  // O(writes) per pool (many small pools in a large budget). Nothing the walk writes is read here.
  const pools = epochEligibleFees(s, job.epoch, readPoolCursor(job.cursor), budget);
  const walks: {
    pool: (typeof pools)[number];
    entries: { contributionId: number; weight: number }[];
  }[] = [];
  let left = budget;
  let cursor = job.cursor;
  let entryCursor = job.entryCursor;
  let finished = 0;
  let partial = false;
  for (const pool of pools) {
    if (left === 0) break;
    const requested = left;
    const entries = versionEntriesFrom(s, pool.datanetId, pool.version, entryCursor, requested);
    walks.push({ pool, entries });
    // An exhausted pool with nothing left to read still costs a step, so the walk always ends.
    left -= Math.max(entries.length, 1);
    if (entries.length === requested) {
      entryCursor = entries[entries.length - 1]!.contributionId + 1;
      partial = true;
      break;
    }
    cursor = poolCursor(pool.datanetId, pool.version);
    entryCursor = 0;
    finished++;
  }
  let j = job;
  for (const { pool, entries } of walks) {
    const income =
      pool.fees +
      (storage.poolEmission.get(s, keys.epochPool(j.epoch, pool.datanetId, pool.version)) ?? 0n);
    const liveWeight = getPool(s, pool.datanetId, pool.version)?.liveWeight ?? 0n;
    for (const entry of entries) {
      const c = getContribution(s, entry.contributionId);
      if (!c || c.status === ContributionStatus.slashed || liveWeight === 0n) continue;
      const earned = (income * BigInt(entry.weight)) / liveWeight;
      if (earned > 0n) j = addEarning(s, j, c.contributor, earned);
    }
  }
  j = { ...j, cursor, entryCursor };
  if (partial) return { job: j, left, done: false };
  // Done when every pool read is finished and the read returned fewer than it asked for.
  return { job: j, left, done: finished === pools.length && pools.length < budget };
};

const giniPhase: PhaseStep = (ctx, job, budget) => {
  const s = ctx.storage;
  // The walk removes what it has read, so it always starts at the front of the epoch's range.
  const batch = epochAccounts(s, storage.earnedSorted.prefix, job.epoch, EMPTY, budget);
  let { giniRank, giniWeighted } = job;
  for (const [suffix] of batch) {
    const amount = u128Read(suffix);
    giniRank++;
    giniWeighted += BigInt(giniRank) * amount;
    storage.earnedSorted.remove(s, concatBytes(u64be(job.epoch), suffix));
  }
  return {
    job: { ...job, giniRank, giniWeighted },
    left: budget - batch.length,
    done: batch.length < budget,
  };
};

function u128Read(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return (view.getBigUint64(0) << 64n) | view.getBigUint64(8);
}

const retentionPhase: PhaseStep = (ctx, job, budget) => {
  const s = ctx.storage;
  // R as it was when the epoch ended: a change meanwhile must not move the walk to another cohort.
  const cohortEpoch = job.epoch - job.retentionEpochs;
  if (cohortEpoch < 0) return { job, left: budget, done: true };
  const batch = highQualityIn(s, cohortEpoch, job.cursor.length > 0 ? job.cursor : null, budget);
  let { cohort, retained } = job;
  for (const who of batch) {
    cohort++;
    if (submittedIn(s, job.epoch, who)) retained++;
  }
  const cursor = batch.length > 0 ? batch[batch.length - 1]! : job.cursor;
  return {
    job: { ...job, cursor, cohort, retained },
    left: budget - batch.length,
    done: batch.length < budget,
  };
};

/**
 * Deletes the epoch's per-account entries nothing reads once its record is computed: payers,
 * authors, submitters, new contributors, earnings, and the cohort whose retention it measured.
 * The per-epoch totals, the pools' fees and emission and the record itself stay.
 */
const prunePhase: PhaseStep = (ctx, job, budget) => {
  const s = ctx.storage;
  const epochKey = u64be(job.epoch);
  const cohortEpoch = job.epoch - job.retentionEpochs;
  let deleted = prunePayers(s, job.epoch, budget);
  for (const prefix of [storage.epochBlocks.prefix, storage.earned.prefix])
    if (deleted < budget) deleted += clearRange(s, concatBytes(prefix, epochKey), budget - deleted);
  if (deleted < budget)
    deleted += pruneActivity(s, job.epoch, cohortEpoch >= 0 ? cohortEpoch : null, budget - deleted);
  return { job, left: budget - deleted, done: deleted < budget };
};

const PHASES: Record<Phase, PhaseStep> = {
  [Phase.validators]: validatorsPhase,
  [Phase.distribute]: distributePhase,
  [Phase.distributeMeasured]: distributeMeasuredPhase,
  [Phase.newContributors]: newContributorsPhase,
  [Phase.earners]: earnersPhase,
  [Phase.gini]: giniPhase,
  [Phase.retention]: retentionPhase,
  [Phase.prune]: prunePhase,
};

/** Moves the passive threshold to `epoch − N + 1`, counting the buckets that cross it. */
function updatePassive(s: RuntimeStorage, epoch: number): number {
  const below = Math.max(0, epoch - Number(param(s, "emissionPassiveEpochs")) + 1);
  const was = storage.passiveBelow.get(s);
  let passive = storage.passive.get(s);
  for (let t = was; t < below; t++) passive += storage.activeBucket.get(s, t) ?? 0;
  for (let t = below; t < was; t++) passive -= storage.activeBucket.get(s, t) ?? 0;
  storage.passive.set(s, passive);
  storage.passiveBelow.set(s, below);
  return passive;
}

function finish(ctx: RuntimeContext, job: CloseJob): void {
  const s = ctx.storage;
  const counters = epochCounters(s, job.epoch);
  const activity = epochActivity(s, job.epoch);
  const minted = job.validatorsMinted + job.contributorsMinted + job.treasuryMinted;
  const record: HealthRecord = {
    epoch: job.epoch,
    closedAt: ctx.blockNumber,
    scheduled: job.scheduled,
    validators: job.validatorsMinted,
    contributors: job.contributorsMinted,
    treasury: job.treasuryMinted,
    contributorCap: job.contributorCap,
    volume: counters.volume,
    selfDealing: counters.selfDealing,
    suspectedWash: counters.suspectedWash,
    eligibleFees: counters.eligibleFees,
    protocolFees: counters.protocolFees,
    emissionPerVolumePpm: counters.volume > 0n ? (minted * PPM) / counters.volume : null,
    payers: counters.distinctPayers,
    activeContributors: job.earners,
    passiveContributors: updatePassive(s, job.epoch),
    accepted: activity.accepted,
    rejected: activity.rejected,
    cohort: job.cohort,
    retained: job.retained,
    retentionPpm: job.cohort > 0 ? Number((BigInt(job.retained) * PPM) / BigInt(job.cohort)) : null,
    earners: job.earners,
    giniPpm: giniPpm(BigInt(job.earners), job.giniWeighted, job.earnedTotal),
    totalIssuance: storage.endIssuance.get(s, job.epoch) ?? totalIssuance(s),
  };
  storage.endIssuance.remove(s, job.epoch);
  storage.health.set(s, job.epoch, record);
  storage.job.remove(s, job.epoch);
  storage.nextToClose.set(s, job.epoch + 1);
  emitEvent(ctx, "EpochClosed", {
    epoch: job.epoch,
    scheduled: u128(job.scheduled),
    validators: u128(job.validatorsMinted),
    contributors: u128(job.contributorsMinted),
    treasury: u128(job.treasuryMinted),
  });
  emitEvent(ctx, "HealthRecorded", { epoch: job.epoch });
}

export { NAME };
