// The property test at the pallet level: random contribution weights, random inference
// payments (some self-dealing) split over a two-version manifest, random claim timing and random
// slashes, dispatched through the real registry and attribution pallets. Every claim must pay
// exactly what a brute-force model owes: each payment's split recomputed here from the documented
// formulas, each version's share split over every live contribution one by one (per-weight share
// floor((a·scale + carry) / liveWeight), carried remainder; payout floor(credit / scale); a slash
// forfeits the unclaimed part to the rest). At the end the payouts, the forfeits sent to the
// treasury and the pools' balances add up to the data shares paid, to the planck.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { u128ToBytes } from "../../../primitives/amount.ts";
import { checkInvariants } from "../../../runtime/executive.ts";
import type { CallerOrigin } from "../../../runtime/pallet.ts";
import {
  ATTRIBUTION_ACCOUNT,
  getPool,
  poolBalance,
} from "../../../runtime/pallets/attribution/index.ts";
import { encodeCall } from "../../../runtime/signing.ts";
import { decodeCall } from "../../../runtime/transaction.ts";
import { contentHash, datanetArgs, RegistryHarness, UNIT } from "./fixtures/registry-harness.ts";
import { devSpecWith, pub } from "./fixtures/test-chain.ts";

const alice = pub("alice");
const ferdie = pub("ferdie");
const CONTRIBUTORS = [pub("bob"), pub("charlie"), pub("dave"), pub("eve")];
const PPM = 1_000_000n;

class Harness extends RegistryHarness {
  attr(who: Uint8Array, call: string, args: object): string {
    const { resolved, args: decoded } = decodeCall(encodeCall(`Attribution.${call}`, args));
    const origin: CallerOrigin = { kind: "signed", account: who };
    const ctx = this.context(1);
    try {
      ctx.transactional(() => resolved.def.handler(ctx, origin, decoded as never));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === undefined) throw error;
      return code;
    }
    checkInvariants(this.overlay);
    return "ok";
  }
}

/** One version's pool, computed the slow way: every payment to every live contribution. */
class BruteForcePool {
  readonly credit: bigint[];
  readonly live: boolean[];
  readonly forfeited: bigint[];
  readonly scale: bigint;
  readonly weights: bigint[];
  carry = 0n;
  constructor(weights: bigint[]) {
    this.weights = weights;
    this.credit = weights.map(() => 0n);
    this.live = weights.map(() => true);
    this.forfeited = weights.map(() => 0n);
    this.scale = weights.reduce((a, b) => a + b, 0n) * 10n ** 18n;
  }
  liveWeight(): bigint {
    return this.weights.reduce((sum, w, i) => (this.live[i] ? sum + w : sum), 0n);
  }
  /** Returns what could not be paid into the pool (no live weight: the treasury takes it). */
  pay(amount: bigint): bigint {
    const live = this.liveWeight();
    if (live === 0n) return amount;
    const spread = amount * this.scale + this.carry;
    const perWeight = spread / live;
    this.carry = spread - perWeight * live;
    for (let i = 0; i < this.weights.length; i++)
      if (this.live[i]) this.credit[i]! += this.weights[i]! * perWeight;
    return 0n;
  }
  slash(i: number, paid: bigint): bigint {
    const forfeited = this.credit[i]! / this.scale - paid;
    this.live[i] = false;
    this.forfeited[i] = forfeited;
    return this.pay(forfeited);
  }
  owed(i: number): bigint {
    return this.credit[i]! / this.scale - this.forfeited[i]!;
  }
}

type Step =
  | { kind: "pay"; selfDealing: boolean; units: number }
  | { kind: "claim"; index: number }
  | { kind: "slash"; index: number };

interface Scenario {
  qualities: number[];
  entry0Ppm: number;
  dataSharePpm: number;
  price: bigint;
  steps: Step[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  qualities: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 7 }),
  entry0Ppm: fc.integer({ min: 1, max: 999_999 }),
  dataSharePpm: fc.integer({ min: 200_000, max: 1_000_000 }),
  price: fc.oneof(fc.bigInt(1n, 1_000n), fc.bigInt(1n, 10n * UNIT)),
  steps: fc.array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant("pay" as const),
          selfDealing: fc.boolean(),
          units: fc.integer({ min: 1, max: 1_000 }),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({ kind: fc.constant("claim" as const), index: fc.nat(7) }),
      },
      {
        weight: 3,
        arbitrary: fc.record({ kind: fc.constant("slash" as const), index: fc.nat(7) }),
      },
    ),
    { maxLength: 25 },
  ),
});

/** Maps `x` (1 … 999,999) onto the weights of entry 0 that a 100× skew bound lets through. */
function withinSkew(x: number, w0: number, w1: number): number {
  const total = w0 + w1;
  const lo = Math.max(1, Math.floor((1e4 * w0) / total), 1e6 - Math.ceil((1e8 * w1) / total));
  const hi = Math.min(999_999, Math.ceil((1e8 * w0) / total), 1e6 - Math.floor((1e4 * w1) / total));
  return lo + Math.floor(((x - 1) * (hi - lo)) / 999_998);
}

function run(scenario: Scenario) {
  const { qualities, dataSharePpm, price, steps } = scenario;
  // Splits of the two versions as far from their data as the widest skew bound (100×) allows:
  // the bound itself is tested apart. Datanet 0 holds Σ qualities, datanet 1 weight 7.
  const entry0Ppm = withinSkew(
    scenario.entry0Ppm,
    qualities.reduce((a, b) => a + b, 0),
    7,
  );
  const h = new Harness(
    devSpecWith((config) => {
      config.params = { ...config.params, attributionManifestMaxFactorPpm: "100000000" };
    }),
  );
  const openLicence = { licence: { kind: 0, commercial: true, attribution: true } };
  h.ok(alice, "createDatanet", datanetArgs(openLicence));
  const owner = qualities.map((_, i) => CONTRIBUTORS[i % CONTRIBUTORS.length]!);
  qualities.forEach((quality, i) => {
    h.ok(owner[i]!, "submitContribution", {
      datanetId: 0,
      contentHash: contentHash(i),
      size: 1,
      metadataUri: "",
    });
    h.ok(alice, "acceptContribution", { contributionId: i, quality });
  });
  h.ok(alice, "publishVersion", { datanetId: 0, metadataUri: "" });
  // Datanet 1: one contribution of weight 7 (id n), the second manifest entry.
  const n = qualities.length;
  h.ok(alice, "createDatanet", datanetArgs(openLicence));
  h.ok(CONTRIBUTORS[0]!, "submitContribution", {
    datanetId: 1,
    contentHash: contentHash(99),
    size: 1,
    metadataUri: "",
  });
  h.ok(alice, "acceptContribution", { contributionId: n, quality: 7 });
  h.ok(alice, "publishVersion", { datanetId: 1, metadataUri: "" });
  assert.equal(
    h.attr(ferdie, "registerModel", {
      metadataUri: "",
      manifest: [
        { datanetId: 0, version: 1, weightPpm: entry0Ppm },
        { datanetId: 1, version: 1, weightPpm: 1_000_000 - entry0Ppm },
      ],
      pricePerUnit: u128ToBytes(price),
      dataSharePpm,
    }),
    "ok",
  );

  const pools = [new BruteForcePool(qualities.map(BigInt)), new BruteForcePool([7n])];
  const paid = [qualities.map(() => 0n), [0n]];
  let dataShares = 0n;
  let toTreasury = 0n;
  const claimOne = (pool: number, index: number) => {
    const id = pool === 0 ? index : n;
    const who = pool === 0 ? owner[index]! : CONTRIBUTORS[0]!;
    const before = h.free(who);
    assert.equal(
      h.attr(who, "claim", { datanetId: pool, version: 1, contributionIds: [id] }),
      "ok",
    );
    const got = h.free(who) - before;
    assert.equal(got, pools[pool]!.owed(index) - paid[pool]![index]!, `claim of #${id}`);
    paid[pool]![index]! += got;
  };
  for (const step of steps) {
    if (step.kind === "pay") {
      const payer = step.selfDealing ? ferdie : alice;
      const total = price * BigInt(step.units);
      assert.equal(
        h.attr(payer, "payInference", {
          modelId: 0,
          units: step.units,
          maxTotal: u128ToBytes(total),
        }),
        "ok",
      );
      const protocol = (total * 50_000n) / PPM;
      const data = ((total - protocol) * BigInt(dataSharePpm)) / PPM;
      const second = (data * BigInt(1_000_000 - entry0Ppm)) / PPM;
      dataShares += data;
      toTreasury += pools[0]!.pay(data - second) + pools[1]!.pay(second);
    } else if (step.kind === "claim") {
      if (step.index < n) claimOne(0, step.index);
      else claimOne(1, 0);
    } else if (step.index < n && pools[0]!.live[step.index]) {
      const id = step.index;
      if (
        h.call(ferdie, "challenge", { contributionId: id, evidenceUri: "ipfs://evidence" }) !== "ok"
      )
        continue;
      // Alice accepted it herself: root judges the challenge.
      h.ok("root", "forceResolveChallenge", { contributionId: id, uphold: true });
      assert.equal(
        h.attr(ferdie, "noteSlash", { datanetId: 0, version: 1, contributionId: id }),
        "ok",
      );
      toTreasury += pools[0]!.slash(id, paid[0]![id]!);
    }
  }
  for (let i = 0; i < n; i++) if (pools[0]!.live[i]) claimOne(0, i);
  claimOne(1, 0);
  const totalPaid = [...paid[0]!, ...paid[1]!].reduce((a, b) => a + b, 0n);
  const held = [0, 1].reduce(
    (sum, d) => sum + poolBalance(getPool(h.overlay, d, 1) ?? poolOf0()),
    0n,
  );
  assert.equal(totalPaid + toTreasury + held, dataShares);
  assert.equal(h.free(ATTRIBUTION_ACCOUNT), held);
}

const poolOf0 = () => ({
  scale: 1n,
  liveWeight: 0n,
  acc: 0n,
  carry: 0n,
  deposited: 0n,
  claimed: 0n,
});

describe("attribution: pallet against a brute-force model", () => {
  it("claims pay exactly what the brute force owes; nothing is created or lost", () => {
    fc.assert(fc.property(scenarioArb, run), { numRuns: 60 });
  });
});
