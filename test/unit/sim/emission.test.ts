// Outcomes that depend on the emission pallet's rules, computed from the simulator's output: the
// health record of every epoch, wash trading earning no emission, no demand meaning no
// contributor emission (and little demand a huge emission/volume ratio), and the ratio following k
// in a sweep.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { simulate } from "../../../sim/engine.ts";
import { loadScenario, scaleScenario } from "../../../sim/scenario.ts";
import { rowsOf, runShipped, SCENARIOS } from "./fixtures.ts";

const big = (v: unknown) => v as bigint;

describe("emission in the shipped scenarios", () => {
  it("wash trading: the attacker's pools get no emission while honest pools earn it", () => {
    const rows = rowsOf(runShipped("wash-trading", { epochs: 5, scale: 0.5 }));
    for (const r of rows) {
      assert.notEqual(r.emitted, null, `epoch ${r.epoch} has its health record`);
      assert.equal(r.washTraderEmission, 0n, `epoch ${r.epoch}: wash trader emission`);
    }
    const paying = rows.filter((r) => big(r.volume) > 0n);
    assert.ok(paying.length > 0);
    assert.ok(
      paying.every((r) => big(r.selfDealing) > 0n),
      "the attacker kept paying itself",
    );
    assert.ok(
      paying.some((r) => big(r.honestPoolEmission) > 0n && big(r.emittedContributors) > 0n),
      "honest pools earned emission from real volume",
    );
  });

  it("wash trading from a second account: an ordinary consumer to the chain, bounded by k", () => {
    const scenario = scaleScenario(loadScenario(join(SCENARIOS, "wash-trading.yaml")), 0.5);
    scenario.populations.washTraders!.viaSecondAccount = true;
    const result = simulate(scenario, { epochs: 5, seed: 7 });
    const k = BigInt(result.params.emissionVolumeFactorPpm!);
    const rows = rowsOf(result);
    for (const r of rows) {
      const paid = big(r.washTraderPayments);
      assert.ok(paid > 0n, `epoch ${r.epoch}: the wash trader paid`);
      assert.equal(r.selfDealing, 0n, `epoch ${r.epoch}: not self-dealing to the chain`);
      assert.ok(big(r.volume) >= paid, `epoch ${r.epoch}: its payments count as volume`);
      assert.ok(big(r.washTraderEmission) > 0n, `epoch ${r.epoch}: its pools draw emission`);
      assert.ok(
        big(r.washTraderEmission) * 1_000_000n <= k * paid,
        `epoch ${r.epoch}: ${r.washTraderEmission} within k × ${paid}`,
      );
    }
  });

  it("subsidy dependence: no demand, no contributor emission; a trickle of it, a huge ratio", () => {
    const subsidy = runShipped("subsidy-dependence", { epochs: 6, scale: 0.5 });
    const rows = rowsOf(subsidy);
    const k = BigInt(subsidy.params.emissionVolumeFactorPpm!);
    for (const r of rows) {
      assert.ok(big(r.scheduled) > 0n, `epoch ${r.epoch} scheduled emission`);
      assert.ok(big(r.emittedValidators) > 0n, `epoch ${r.epoch} validators' emission`);
      assert.ok(
        big(r.emittedContributors) * 1_000_000n <= k * big(r.volume),
        `epoch ${r.epoch}: contributor emission ${r.emittedContributors} within k · volume`,
      );
    }
    const idle = rows.filter((r) => big(r.volume) === 0n);
    const paying = rows.filter((r) => big(r.volume) > 0n);
    assert.ok(idle.length > 0 && paying.length > 0, "demand starts late");
    for (const r of idle) {
      assert.equal(
        r.emittedContributors,
        0n,
        `epoch ${r.epoch}: no demand, no contributor emission`,
      );
      assert.equal(r.emissionVolumeRatio, null);
    }
    // Emission per LIN of volume, far above what a marketplace with real demand mints for it.
    const healthy = rowsOf(runShipped("healthy-marketplace", { epochs: 6, scale: 0.5 }))
      .map((r) => r.emissionVolumeRatio)
      .filter((ratio) => ratio !== null) as number[];
    const subsidised = paying.map((r) => r.emissionVolumeRatio as number);
    assert.ok(healthy.length > 0);
    assert.ok(
      Math.min(...subsidised) > 5 * Math.max(...healthy),
      `emission/volume ${subsidised} against the healthy marketplace's ${healthy}`,
    );
  });

  it("contributor emission never exceeds k · volume", () => {
    const rows = rowsOf(runShipped("healthy-marketplace", { epochs: 5, scale: 0.5 }));
    for (const r of rows) {
      assert.ok(big(r.emittedContributors) <= big(r.contributorEmissionCap), `epoch ${r.epoch}`);
    }
    assert.ok(rows.some((r) => big(r.emittedContributors) > 0n));
  });

  it("a sweep over k moves the emission/volume ratio with k, below the fee cap λ × protocol fee", () => {
    // λ × 5% = 4% of volume caps contributors whatever k is; below it, k decides.
    const ks = [5_000n, 20_000n, 35_000n];
    const ratios = ks.map((k) => {
      const rows = rowsOf(
        runShipped("healthy-marketplace", {
          epochs: 4,
          scale: 0.5,
          params: { emissionVolumeFactorPpm: k },
        }),
      );
      let emitted = 0n;
      let volume = 0n;
      for (const r of rows) {
        emitted += big(r.emitted);
        volume += big(r.volume);
      }
      assert.ok(volume > 0n);
      return Number(emitted) / Number(volume);
    });
    for (let i = 1; i < ratios.length; i++)
      assert.ok(ratios[i]! > ratios[i - 1]!, `ratio rises with k: ${ks} → ${ratios}`);
  });
});
