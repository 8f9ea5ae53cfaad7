// The emission schedule and the health figures' arithmetic: pure integer functions over bigint,
// used by the pallet, by `emission_schedule` projections and by tests that recompute the figures.
//
// schedule(e) = floor((maxSupply − scheduledBefore(e)) · rate / 10⁶), where scheduledBefore
// starts at the genesis issuance and adds every epoch's schedule, minted or not. The headroom
// shrinks by the factor (1 − rate) each epoch: a geometric decay whose sum never exceeds
// maxSupply − genesis issuance. Emission that is not minted (contributors' share above k × volume,
// shares of nothing) is not carried over: the schedule has already moved on.

export const PPM = 1_000_000n;

/** The smaller of two amounts (Math.min does not take bigint). */
export const minOf = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** ⌊value · ppm / 10⁶⌋. */
export const ppmOf = (value: bigint, ppm: bigint): bigint => (value * ppm) / PPM;

export interface EmissionParams {
  maxSupply: bigint;
  ratePpm: bigint;
  validatorPpm: bigint;
  contributorPpm: bigint;
  treasuryPpm: bigint;
  volumeFactorPpm: bigint;
  feeMultiplePpm: bigint;
}

/** The schedule of the next epoch given what has been scheduled so far. */
export function scheduleFor(p: EmissionParams, scheduledSoFar: bigint): bigint {
  if (scheduledSoFar >= p.maxSupply) return 0n;
  return ppmOf(p.maxSupply - scheduledSoFar, p.ratePpm);
}

export interface EpochEmission {
  scheduled: bigint;
  validators: bigint;
  /** The contributors' share of the schedule, before the use caps. */
  contributorShare: bigint;
  /** min(k × volume, λ × protocol fees): the most contributors can receive from the use side. */
  contributorCap: bigint;
  /** min(contributorShare, contributorCap). */
  contributors: bigint;
  treasury: bigint;
}

/**
 * What an epoch emits by share: validators and treasury their shares of the schedule, contributors
 * min(share, k · volume, λ · protocol fees) — shared by the protocol fees each pool's (or measured
 * window's) payments paid, so nothing when no real payment paid a protocol fee.
 *
 * Why payments cannot farm it: a payer who owns the model and all its data gets back everything it
 * pays except the protocol fee f (burned or the treasury's). Its pools' emission is at most
 * ⌊E · f / F⌋ ≤ λ · f with λ < 1, so each payment returns less than it gave up, whatever the data
 * share, the manifest or the number of paying accounts.
 */
export function epochEmission(
  p: EmissionParams,
  scheduled: bigint,
  volume: bigint,
  protocolFees: bigint,
): EpochEmission {
  const contributorShare = ppmOf(scheduled, p.contributorPpm);
  const byVolume = ppmOf(volume, p.volumeFactorPpm);
  const byFees = ppmOf(protocolFees, p.feeMultiplePpm);
  const contributorCap = minOf(byVolume, byFees);
  return {
    scheduled,
    validators: ppmOf(scheduled, p.validatorPpm),
    contributorShare,
    contributorCap,
    contributors: minOf(contributorShare, contributorCap),
    treasury: ppmOf(scheduled, p.treasuryPpm),
  };
}

/** ⌊total · weight / sum⌋: a share that never rounds up (what the floors leave is not minted). */
export function floorShare(total: bigint, weight: bigint, sum: bigint): bigint {
  return sum === 0n ? 0n : (total * weight) / sum;
}

/**
 * The i-th of n shares of `total` split in proportion to weights, given the cumulative weight
 * before and after it: ⌊total · after / sum⌋ − ⌊total · before / sum⌋. Every share is within one
 * unit of exact proportion and the shares add up to `total` exactly, in one pass, with no
 * look-ahead — so the split can be spread over several blocks.
 */
export function proportionalShare(
  total: bigint,
  before: bigint,
  after: bigint,
  sum: bigint,
): bigint {
  if (sum === 0n) return 0n;
  return (total * after) / sum - (total * before) / sum;
}

/**
 * Gini coefficient in ppm from the running sums over the earnings sorted ascending
 * (x₁ ≤ … ≤ xₙ): G = (2·Σ i·xᵢ − (n+1)·Σ xᵢ) / (n · Σ xᵢ), floored; 0 with no earners.
 */
export function giniPpm(n: bigint, weighted: bigint, total: bigint): number {
  if (n === 0n || total === 0n) return 0;
  const numerator = 2n * weighted - (n + 1n) * total;
  return Number((numerator * PPM) / (n * total));
}

export interface ScheduleProjection {
  epoch: number;
  scheduled: bigint;
  validators: bigint;
  /** The most contributors can receive (their share of the schedule, before the volume cap). */
  contributorsMax: bigint;
  treasury: bigint;
  /** Supply scheduled once this epoch is: genesis issuance plus every schedule so far. */
  scheduledSupply: bigint;
}

/** The schedule of `count` epochs from `firstEpoch`, given what is scheduled before it. */
export function projectSchedule(
  p: EmissionParams,
  firstEpoch: number,
  scheduledSoFar: bigint,
  count: number,
): ScheduleProjection[] {
  const out: ScheduleProjection[] = [];
  let supply = scheduledSoFar;
  for (let i = 0; i < count; i++) {
    const scheduled = scheduleFor(p, supply);
    supply += scheduled;
    out.push({
      epoch: firstEpoch + i,
      scheduled,
      validators: ppmOf(scheduled, p.validatorPpm),
      contributorsMax: ppmOf(scheduled, p.contributorPpm),
      treasury: ppmOf(scheduled, p.treasuryPpm),
      scheduledSupply: supply,
    });
  }
  return out;
}
