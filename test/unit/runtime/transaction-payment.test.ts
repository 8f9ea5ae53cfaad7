import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { UNIT, u128FromBytes, u128ToBytes } from "../../../primitives/amount.ts";
import { utf8 } from "../../../primitives/bytes.ts";
import { blake2b256 } from "../../../primitives/hash.ts";
import { ss58Encode } from "../../../primitives/ss58.ts";
import { freeBalance, totalIssuance } from "../../../runtime/pallets/balances.ts";
import { PARAMS, type ParamName, param } from "../../../runtime/pallets/params.ts";
import {
  computeFee,
  FIXED_ONE,
  nextMultiplier,
  storage as paymentStorage,
  TREASURY_ACCOUNT,
} from "../../../runtime/pallets/transaction-payment.ts";
import { encodeCall } from "../../../runtime/signing.ts";
import { StateOverlay } from "../../../state/overlay.ts";
import { type DecodedEvent, devSpecWith, pub, TestChain } from "./fixtures/test-chain.ts";

function feeEvent(events: DecodedEvent[], index: number) {
  const e = events.find((x) => x.name === "TransactionFeePaid" && x.extrinsicIndex === index);
  assert.ok(e, `no TransactionFeePaid for extrinsic ${index}`);
  const amount = (field: string) => u128FromBytes(e.data[field] as Uint8Array);
  return {
    fee: amount("fee"),
    tip: amount("tip"),
    burned: amount("burned"),
    toTreasury: amount("toTreasury"),
    toAuthor: amount("toAuthor"),
  };
}

function withParams(overrides: Partial<Record<ParamName, bigint>>): TestChain {
  return new TestChain(
    devSpecWith((config) => {
      config.params = Object.fromEntries(
        Object.entries(overrides).map(([k, v]) => [k, v.toString()]),
      );
    }),
  );
}

describe("transaction payment: the fee", () => {
  it("is base + length·lengthFee + multiplier·weight·weightFee + tip", () => {
    const chain = new TestChain();
    fc.assert(
      fc.property(
        fc.nat({ max: 5 * 1024 * 1024 }),
        fc.bigInt({ min: 0n, max: 500_000_000_000n }),
        fc.bigInt({ min: 0n, max: 1000n * UNIT }),
        fc.bigInt({ min: FIXED_ONE / 10n, max: 1000n * FIXED_ONE }),
        (length, weight, tip, multiplier) => {
          const overlay = new StateOverlay(chain.state);
          paymentStorage.nextFeeMultiplier.set(overlay, multiplier);
          const fee = computeFee(overlay, length, weight, tip);
          const base = PARAMS.baseFee.default;
          const lenFee = BigInt(length) * PARAMS.lengthFee.default;
          const weightFee =
            (weight * PARAMS.weightFee.default * multiplier) / 1_000_000n / FIXED_ONE;
          assert.equal(fee.baseFee, base);
          assert.equal(fee.lenFee, lenFee);
          assert.equal(fee.adjustedWeightFee, weightFee);
          assert.equal(fee.inclusionFee, base + lenFee + weightFee);
          assert.equal(fee.total, base + lenFee + weightFee + tip);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("follows the fee parameters", () => {
    const chain = withParams({ baseFee: 7n, lengthFee: 3n, weightFee: 2_000_000n });
    const fee = computeFee(chain.state, 100, 5_000_000n, 11n);
    assert.equal(fee.total, 7n + 300n + 10_000_000n + 11n);
  });

  it("does not overflow in the middle for the heaviest weight at the highest bounds", () => {
    const chain = withParams({
      weightFee: PARAMS.weightFee.max,
      maxBlockWeight: PARAMS.maxBlockWeight.max,
      maxFeeMultiplier: PARAMS.maxFeeMultiplier.max,
    });
    const overlay = new StateOverlay(chain.state);
    paymentStorage.nextFeeMultiplier.set(overlay, PARAMS.maxFeeMultiplier.max);
    const weight = PARAMS.maxBlockWeight.max;
    const fee = computeFee(overlay, 0, weight, 0n);
    assert.equal(
      fee.adjustedWeightFee,
      (weight * PARAMS.weightFee.max * PARAMS.maxFeeMultiplier.max) / 1_000_000n / FIXED_ONE,
    );
  });

  it("what a block charges is what computeFee and the pool's check said", () => {
    const chain = new TestChain();
    const xt = chain.transfer("bob", pub("charlie"), UNIT, { tip: 12_345n });
    const checked = chain.open().execution.check(xt, null);
    assert.equal(
      checked.fee.total,
      computeFee(chain.state, xt.length, checked.weight, 12_345n).total,
    );
    const bobBefore = freeBalance(chain.state, pub("bob"));
    const { events } = chain.block([xt]);
    const paid = feeEvent(events, 1);
    assert.equal(paid.fee, checked.fee.total);
    assert.equal(paid.tip, 12_345n);
    assert.equal(freeBalance(chain.state, pub("bob")), bobBefore - UNIT - paid.fee);
  });
});

describe("transaction payment: the split", () => {
  it("splits the fee between burn, treasury and author by the parameters", () => {
    const chain = withParams({ feeBurnPpm: 100_000n, feeTreasuryPpm: 400_000n });
    const issuance = totalIssuance(chain.state);
    const alice = freeBalance(chain.state, pub("alice")); // the only authority: the author
    const treasury = freeBalance(chain.state, TREASURY_ACCOUNT);
    const { events } = chain.block([chain.transfer("bob", pub("charlie"), UNIT, { tip: UNIT })]);
    const paid = feeEvent(events, 1);
    assert.equal(paid.burned, (paid.fee * 100_000n) / 1_000_000n);
    assert.equal(paid.toTreasury, (paid.fee * 400_000n) / 1_000_000n);
    assert.equal(paid.toAuthor, paid.fee - paid.burned - paid.toTreasury);
    assert.equal(freeBalance(chain.state, TREASURY_ACCOUNT), treasury + paid.toTreasury);
    assert.equal(freeBalance(chain.state, pub("alice")), alice + paid.toAuthor);
    assert.equal(totalIssuance(chain.state), issuance - paid.burned);
  });

  it("the treasury receives its share of ordinary fees on a fresh dev chain", () => {
    const chain = new TestChain();
    const treasury = freeBalance(chain.state, TREASURY_ACCOUNT);
    const { events } = chain.block([chain.transfer("bob", pub("charlie"), UNIT)]);
    const paid = feeEvent(events, 1);
    const share = (paid.fee * param(chain.state, "feeTreasuryPpm")) / 1_000_000n;
    assert.ok(share > 0n);
    assert.equal(paid.toTreasury, share);
    assert.equal(freeBalance(chain.state, TREASURY_ACCOUNT), treasury + share);
  });

  it("the treasury account exists from genesis with the existential deposit", () => {
    assert.equal(
      freeBalance(new TestChain().state, TREASURY_ACCOUNT),
      PARAMS.existentialDeposit.default,
    );
    const custom = withParams({ existentialDeposit: 5n * UNIT });
    assert.equal(freeBalance(custom.state, TREASURY_ACCOUNT), 5n * UNIT);
  });

  it("an author without an account cannot take a dust share: it is burned and reported so", () => {
    const nobody = blake2b256(utf8("test/unfunded author"));
    const chain = new TestChain(
      devSpecWith((config) => {
        config.authorities.authorities = [ss58Encode(nobody, 42)];
      }),
    );
    const issuance = totalIssuance(chain.state);
    const { events } = chain.block([chain.transfer("bob", pub("charlie"), UNIT)]);
    const paid = feeEvent(events, 1);
    assert.equal(paid.toAuthor, 0n);
    assert.equal(freeBalance(chain.state, nobody), 0n);
    assert.equal(paid.burned + paid.toTreasury, paid.fee);
    assert.equal(totalIssuance(chain.state), issuance - paid.burned);
  });
});

describe("transaction payment: the multiplier", () => {
  const chain = new TestChain();
  const max = param(chain.state, "maxBlockWeight");
  const target = (max * param(chain.state, "targetBlockFullnessPpm")) / 1_000_000n;

  it("rises when blocks are fuller than the target, falls when emptier, slowly", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: FIXED_ONE / 5n, max: 100n * FIXED_ONE }),
        fc.bigInt({ min: 0n, max }),
        (previous, used) => {
          const next = nextMultiplier(chain.state, previous, used);
          if (used > target) assert.ok(next >= previous);
          if (used < target) assert.ok(next <= previous);
          if (used === target) assert.equal(next, previous);
          // Slow: one block moves it by well under a thousandth.
          const step = next > previous ? next - previous : previous - next;
          assert.ok(step * 1000n < previous);
        },
      ),
      { numRuns: 200 },
    );
    assert.ok(nextMultiplier(chain.state, FIXED_ONE, max) > FIXED_ONE);
    assert.ok(nextMultiplier(chain.state, FIXED_ONE, 0n) < FIXED_ONE);
  });

  it("is monotonic in the weight used", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max }), fc.bigInt({ min: 0n, max }), (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        assert.ok(
          nextMultiplier(chain.state, FIXED_ONE, lo) <= nextMultiplier(chain.state, FIXED_ONE, hi),
        );
      }),
    );
  });

  it("is clamped to [minFeeMultiplier, maxFeeMultiplier]", () => {
    const lo = param(chain.state, "minFeeMultiplier");
    const hi = param(chain.state, "maxFeeMultiplier");
    assert.equal(nextMultiplier(chain.state, lo, 0n), lo);
    assert.equal(nextMultiplier(chain.state, hi, max), hi);
    assert.equal(nextMultiplier(chain.state, lo + 1n, 0n), lo);
    assert.equal(nextMultiplier(chain.state, hi - 1n, max), hi);
  });

  it("an empty block lowers the stored multiplier, full blocks raise it, within bounds", () => {
    const small = withParams({ maxBlockWeight: 1_000_000_000n, minFeeMultiplier: FIXED_ONE });
    small.block();
    // The floor is 1: an empty block cannot lower it further.
    assert.equal(paymentStorage.nextFeeMultiplier.get(small.state), FIXED_ONE);
    // Four transfers (4·120M + the inherent) are ~49% of 1G: above the 25% target.
    const nonce = small.nonceOf("bob");
    small.block(
      [0, 1, 2, 3].map((i) => small.transfer("bob", pub("dave"), UNIT, { nonce: nonce + i })),
    );
    const raised = paymentStorage.nextFeeMultiplier.get(small.state);
    assert.ok(raised > FIXED_ONE);
    // The next block's fees use the raised multiplier.
    const xt = small.transfer("bob", pub("dave"), UNIT);
    const checked = small.open().execution.check(xt, null);
    const atOne = new StateOverlay(small.state);
    paymentStorage.nextFeeMultiplier.set(atOne, FIXED_ONE);
    assert.ok(
      checked.fee.adjustedWeightFee >
        computeFee(atOne, xt.length, checked.weight, 0n).adjustedWeightFee,
    );

    const plain = new TestChain();
    plain.block();
    assert.ok(paymentStorage.nextFeeMultiplier.get(plain.state) < FIXED_ONE);
  });
});

describe("transaction payment: failing calls", () => {
  it("charges the fee and rolls back the call when it fails", () => {
    const chain = new TestChain();
    const issuance = totalIssuance(chain.state);
    const bob = freeBalance(chain.state, pub("bob"));
    const stranger = blake2b256(utf8("test/stranger"));
    // Bob is not the sudo key; and a transfer of 1 planck cannot create an account.
    const mint = encodeCall("Balances.forceSetBalance", {
      who: pub("bob"),
      free: u128ToBytes(10n ** 30n),
    });
    const xt = chain.sign("bob", "Sudo.sudo", { call: mint });
    const dust = chain.transfer("bob", stranger, 1n, { nonce: 1 });
    const { outcomes, events } = chain.block([xt, dust]);
    assert.deepEqual(
      outcomes.map((o) => (o.success ? "ok" : o.error)),
      ["Sudo.RequireSudo", "Balances.ExistentialDeposit"],
    );
    const fees = feeEvent(events, 1).fee + feeEvent(events, 2).fee;
    assert.equal(freeBalance(chain.state, pub("bob")), bob - fees);
    assert.equal(chain.nonceOf("bob"), 2);
    const burned = feeEvent(events, 1).burned + feeEvent(events, 2).burned;
    assert.equal(totalIssuance(chain.state), issuance - burned);
    assert.equal(events.filter((e) => e.pallet === "Sudo" || e.pallet === "Balances").length, 0);
    const failed = events.filter((e) => e.name === "ExtrinsicFailed");
    assert.deepEqual(
      failed.map((e) => [e.extrinsicIndex, e.data.errorPallet, e.data.error]),
      [
        [1, 5, "Sudo.RequireSudo"],
        [2, 2, "Balances.ExistentialDeposit"],
      ],
    );
  });
});
