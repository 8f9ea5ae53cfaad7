// Property test of the reward pool (issue 6): random weights, random payments, random claim and
// slash timing. Every contribution's total payout must equal a brute-force computation that
// splits every payment over every live contribution one by one (the documented rule: per-weight
// share floor((a·scale + carry) / liveWeight), remainder carried; payout floor(credit / scale);
// a slash forfeits the unclaimed part, split over the rest the same way), and, while nothing is
// slashed, the closed form floor(weight · paid / totalWeight). The sum of payouts, forfeits sent
// to the treasury and what the pool still holds equals the sum of payments, to the planck.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  claim,
  claimable,
  deposit,
  FRESH_POSITION,
  newPool,
  noteSlash,
  type PoolPosition,
  poolBalance,
  type RewardPool,
} from "../../../runtime/pallets/attribution/pool.ts";

type Step =
  | { kind: "pay"; amount: bigint }
  | { kind: "claim"; who: number }
  | { kind: "slash"; who: number };

const stepArb = (n: number): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .oneof(fc.bigInt(0n, 1_000n), fc.bigInt(0n, 10n ** 24n))
        .map((amount) => ({ kind: "pay" as const, amount })),
    },
    {
      weight: 3,
      arbitrary: fc.nat(n - 1).map((who) => ({ kind: "claim" as const, who })),
    },
    { weight: 1, arbitrary: fc.nat(n - 1).map((who) => ({ kind: "slash" as const, who })) },
  );

const scenarioArb = fc
  .array(fc.oneof(fc.bigInt(1n, 10n), fc.bigInt(1n, 10n ** 12n)), { minLength: 1, maxLength: 12 })
  .chain((weights) =>
    fc.record({
      weights: fc.constant(weights),
      steps: fc.array(stepArb(weights.length), { maxLength: 60 }),
      withSlashes: fc.boolean(),
    }),
  );

/** Splits every payment over every live contribution, one by one. */
class BruteForce {
  readonly credit: bigint[];
  readonly live: boolean[];
  carry = 0n;
  readonly scale: bigint;
  readonly weights: bigint[];
  constructor(weights: bigint[]) {
    this.weights = weights;
    this.credit = weights.map(() => 0n);
    this.live = weights.map(() => true);
    this.scale = weights.reduce((a, b) => a + b, 0n) * 10n ** 18n;
  }
  liveWeight(): bigint {
    return this.weights.reduce((sum, w, i) => (this.live[i] ? sum + w : sum), 0n);
  }
  pay(amount: bigint): void {
    const live = this.liveWeight();
    const spread = amount * this.scale + this.carry;
    const perWeight = spread / live;
    this.carry = spread - perWeight * live;
    for (let i = 0; i < this.weights.length; i++)
      if (this.live[i]) this.credit[i]! += this.weights[i]! * perWeight;
  }
  /** Slashes `i`, who has been paid `paid`; returns what goes to the treasury. */
  slash(i: number, paid: bigint): bigint {
    const forfeited = this.credit[i]! / this.scale - paid;
    this.live[i] = false;
    this.forfeited[i] = forfeited;
    if (this.liveWeight() === 0n) return forfeited;
    this.pay(forfeited);
    return 0n;
  }
  readonly forfeited: bigint[] = [];
  owed(i: number): bigint {
    return this.credit[i]! / this.scale - (this.forfeited[i] ?? 0n);
  }
}

function run(weights: bigint[], steps: Step[], withSlashes: boolean) {
  let pool: RewardPool = newPool(weights.reduce((a, b) => a + b, 0n));
  const positions: PoolPosition[] = weights.map(() => ({ ...FRESH_POSITION }));
  const paid = weights.map(() => 0n);
  const model = new BruteForce(weights);
  let payments = 0n;
  let toTreasury = 0n;
  let slashed = false;
  for (const step of steps) {
    if (step.kind === "pay") {
      if (pool.liveWeight === 0n) continue; // the pallet routes such payments to the treasury
      pool = deposit(pool, step.amount);
      model.pay(step.amount);
      payments += step.amount;
    } else if (step.kind === "claim") {
      const out = claim(pool, weights[step.who]!, positions[step.who]!);
      pool = out.pool;
      positions[step.who] = out.position;
      paid[step.who]! += out.amount;
    } else if (withSlashes && !positions[step.who]!.slashed) {
      const out = noteSlash(pool, weights[step.who]!, positions[step.who]!);
      pool = out.pool;
      positions[step.who] = out.position;
      assert.equal(out.toTreasury, model.slash(step.who, paid[step.who]!));
      toTreasury += out.toTreasury;
      slashed = true;
    }
    const sumPaid = paid.reduce((a, b) => a + b, 0n);
    assert.equal(poolBalance(pool), payments - sumPaid - toTreasury);
  }
  // Everyone claims at the end: the payouts equal the brute force, to the planck.
  for (let i = 0; i < weights.length; i++) {
    const out = claim(pool, weights[i]!, positions[i]!);
    pool = out.pool;
    positions[i] = out.position;
    paid[i]! += out.amount;
    assert.equal(claimable(pool, weights[i]!, positions[i]!), 0n);
  }
  const total = weights.reduce((a, b) => a + b, 0n);
  for (let i = 0; i < weights.length; i++) {
    assert.equal(paid[i], model.owed(i), `contribution ${i}`);
    if (!slashed) assert.equal(paid[i], (weights[i]! * payments) / total, `closed form ${i}`);
  }
  const sumPaid = paid.reduce((a, b) => a + b, 0n);
  assert.equal(sumPaid + toTreasury + poolBalance(pool), payments);
  assert.ok(poolBalance(pool) >= 0n);
  // What stays behind is rounding only: under one planck per contribution (plus, after
  // slashes, the carry that no live weight is left to take).
  if (!slashed) assert.ok(poolBalance(pool) < BigInt(weights.length));
}

describe("attribution reward pool", () => {
  it("payouts equal the brute-force split and nothing is created or lost", () => {
    fc.assert(
      fc.property(scenarioArb, ({ weights, steps, withSlashes }) =>
        run(weights, steps, withSlashes),
      ),
      { numRuns: 400 },
    );
  });

  it("a single payment of 1 planck over weights 1 and 2 pays nobody until more arrives", () => {
    let pool = deposit(newPool(3n), 1n);
    assert.equal(claimable(pool, 1n, FRESH_POSITION), 0n);
    assert.equal(claimable(pool, 2n, FRESH_POSITION), 0n);
    pool = deposit(pool, 2n);
    assert.equal(claimable(pool, 1n, FRESH_POSITION), 1n);
    assert.equal(claimable(pool, 2n, FRESH_POSITION), 2n);
  });

  it("a slash forfeits the unclaimed part to the rest; later payments go to the rest", () => {
    let pool = deposit(newPool(4n), 400n);
    const early = claim(pool, 1n, FRESH_POSITION); // the slashed one claimed 100 before
    pool = deposit(early.pool, 400n);
    const slashed = noteSlash(pool, 1n, early.position);
    assert.equal(slashed.forfeited, 100n);
    pool = deposit(slashed.pool, 300n);
    assert.equal(claimable(pool, 1n, slashed.position), 0n);
    // 400 over weight 3 at scale 4·10^18 leaves one planck·scale unit in the carry: 999 now,
    // the last planck reaches them with a later payment.
    assert.equal(claimable(pool, 3n, FRESH_POSITION), 600n + 100n + 300n - 1n);
    assert.equal(claimable(deposit(pool, 2n), 3n, FRESH_POSITION), 1_000n + 2n);
  });

  it("a slash that leaves no live weight sends the forfeit to the treasury", () => {
    const pool = deposit(newPool(5n), 10n);
    const out = noteSlash(pool, 5n, FRESH_POSITION);
    assert.equal(out.toTreasury, 10n);
    assert.equal(poolBalance(out.pool), 0n);
  });
});
