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
// - A slash, once noted, removes the contribution's weight from the live weight and forfeits
//   what it has not claimed yet: that amount is spread over the remaining live weight exactly as
//   a payment would be (to the treasury if no live weight is left). Since a claim notes a pending
//   slash first, a slashed contribution never receives anything after its slash, and the rest
//   receive what it would have earned, whether the slash is noted at once or later.

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
  /** Planck paid out of the pool in all: claims, and forfeits no live weight was left to take. */
  claimed: bigint;
}

/** Where one contribution stands in a pool; absent from storage until its first claim or slash. */
export interface PoolPosition {
  /** Planck already paid to the contribution from this pool. */
  claimed: bigint;
  /** Set once the slash is noted: the accumulator at that moment. */
  slashed: boolean;
  frozenAcc: bigint;
  /** Planck the contribution had accrued but not claimed when its slash was noted. */
  forfeited: bigint;
}

export const FRESH_POSITION: PoolPosition = {
  claimed: 0n,
  slashed: false,
  frozenAcc: 0n,
  forfeited: 0n,
};

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

/** What a contribution can claim now (zero once its slash is noted). */
export function claimable(pool: RewardPool, weight: bigint, position: PoolPosition): bigint {
  return entitlement(pool, weight, position) - position.claimed - position.forfeited;
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

/**
 * Notes a contribution's slash: its weight stops earning and what it had not claimed is forfeited
 * to the remaining live weight; `toTreasury` is the forfeit when no live weight is left.
 */
export function noteSlash(
  pool: RewardPool,
  weight: bigint,
  position: PoolPosition,
): { pool: RewardPool; position: PoolPosition; forfeited: bigint; toTreasury: bigint } {
  if (position.slashed) return { pool, position, forfeited: 0n, toTreasury: 0n };
  if (weight > pool.liveWeight) throw new RangeError("slashed weight exceeds the live weight");
  const forfeited = claimable(pool, weight, position);
  const frozen: PoolPosition = { ...position, slashed: true, frozenAcc: pool.acc, forfeited };
  const liveWeight = pool.liveWeight - weight;
  if (liveWeight === 0n)
    return {
      pool: { ...pool, liveWeight, claimed: pool.claimed + forfeited },
      position: frozen,
      forfeited,
      toTreasury: forfeited,
    };
  const spread = forfeited * pool.scale + pool.carry;
  return {
    pool: { ...pool, liveWeight, acc: pool.acc + spread / liveWeight, carry: spread % liveWeight },
    position: frozen,
    forfeited,
    toTreasury: 0n,
  };
}

/** Planck the pool holds: paid in and not yet paid out. */
export function poolBalance(pool: RewardPool): bigint {
  return pool.deposited - pool.claimed;
}
