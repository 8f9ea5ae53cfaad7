// The reward pool of one datanet version: a reward-per-weight accumulator (Cosmos F1 / Synthetix
// style) whose rounding remainder is carried into the next payment, so a payment costs O(1), a
// claim costs O(1), and no planck is created or lost. Plain functions over plain records: the
// pallet stores them, the tests and the wallet's quotes use them directly.
//
// Rules (docs/attribution.md gives the worked example):
// - The accumulator counts planck·scale per unit of weight, scale = the version's total weight
//   × 10^18. Without slashes every contribution's cumulative entitlement is then exactly
//   floor(weight · paid / totalWeight), whatever the number and size of the payments.
// - A payment of `a`: D = a·scale + carry; acc += floor(D / liveWeight); carry = D mod liveWeight.
// - A contribution's entitlement is floor(weight · accEnd / scale), accEnd being the accumulator
//   now, or at its slash for a slashed contribution. Entitlements are cumulative, so a claim's
//   rounding is never lost: what the floor withholds today is paid when the accumulator grows.
// - A slash freezes the contribution's accumulator and removes its weight from the live weight:
//   what it accrued before the slash stays claimable (it was accepted data when those payments
//   were made); every later payment is shared by the remaining live weight only.

export const ACC_PRECISION = 10n ** 18n;

export interface RewardPool {
  /** Fixed-point scale of `acc`: the version's total weight × ACC_PRECISION. */
  scale: bigint;
  /** Weight still earning: the version's total weight minus the weight of noted slashes. */
  liveWeight: bigint;
  /** Cumulative planck·scale owed per unit of weight. */
  acc: bigint;
  /** planck·scale received but not yet spread over the weight (< liveWeight after a payment). */
  carry: bigint;
  /** Planck paid into the pool in all. */
  deposited: bigint;
  /** Planck paid out of the pool to contributors in all. */
  claimed: bigint;
}

/** Where one contribution stands in a pool; absent from storage until its first claim or slash. */
export interface PoolPosition {
  /** Planck already paid to the contribution from this pool. */
  claimed: bigint;
  /** Set once the slash is noted: the accumulator at that moment. */
  slashed: boolean;
  frozenAcc: bigint;
}

export const FRESH_POSITION: PoolPosition = { claimed: 0n, slashed: false, frozenAcc: 0n };

export function newPool(totalWeight: bigint): RewardPool {
  if (totalWeight <= 0n) throw new RangeError("a reward pool needs a positive total weight");
  return {
    scale: totalWeight * ACC_PRECISION,
    liveWeight: totalWeight,
    acc: 0n,
    carry: 0n,
    deposited: 0n,
    claimed: 0n,
  };
}

/** The pool after a payment of `amount`; the caller routes payments elsewhere when no weight is live. */
export function deposit(pool: RewardPool, amount: bigint): RewardPool {
  if (amount < 0n) throw new RangeError("negative payment");
  if (pool.liveWeight === 0n) throw new RangeError("no live weight to pay");
  const spread = amount * pool.scale + pool.carry;
  return {
    ...pool,
    acc: pool.acc + spread / pool.liveWeight,
    carry: spread % pool.liveWeight,
    deposited: pool.deposited + amount,
  };
}

/** Cumulative planck a contribution of `weight` is entitled to (claimed or not). */
export function entitlement(pool: RewardPool, weight: bigint, position: PoolPosition): bigint {
  const accEnd = position.slashed ? position.frozenAcc : pool.acc;
  return (weight * accEnd) / pool.scale;
}

/** What a contribution can claim now. */
export function claimable(pool: RewardPool, weight: bigint, position: PoolPosition): bigint {
  return entitlement(pool, weight, position) - position.claimed;
}

/** Pays out what a contribution can claim: the new pool, position and amount. */
export function claim(
  pool: RewardPool,
  weight: bigint,
  position: PoolPosition,
): { pool: RewardPool; position: PoolPosition; amount: bigint } {
  const amount = claimable(pool, weight, position);
  return {
    pool: { ...pool, claimed: pool.claimed + amount },
    position: { ...position, claimed: position.claimed + amount },
    amount,
  };
}

/** Notes a contribution's slash: its accumulator freezes and its weight stops earning. */
export function noteSlash(
  pool: RewardPool,
  weight: bigint,
  position: PoolPosition,
): { pool: RewardPool; position: PoolPosition } {
  if (position.slashed) return { pool, position };
  if (weight > pool.liveWeight) throw new RangeError("slashed weight exceeds the live weight");
  return {
    pool: { ...pool, liveWeight: pool.liveWeight - weight },
    position: { ...position, slashed: true, frozenAcc: pool.acc },
  };
}

/** Planck the pool holds: paid in and not yet paid out. */
export function poolBalance(pool: RewardPool): bigint {
  return pool.deposited - pool.claimed;
}
