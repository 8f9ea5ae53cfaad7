// Issue 13's attackers in the simulator, at their best and at the default economic parameters,
// over 20 epochs: the optimal wash trader (all of each payment as data share, three payers the
// chain cannot link to it), the colluding curator and partner, and the near-duplicate farm each
// end below zero, and honest contributors' claims are not lower than without the attacker by
// more than the attacker lost. The self-serving manifest's extreme split is accepted, and what it
// moves to its owner's datanet is the bounded skew.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { SimResult } from "../../../sim/engine.ts";
import { simulate } from "../../../sim/engine.ts";
import { loadScenario, type Scenario } from "../../../sim/scenario.ts";
import { SCENARIOS } from "./fixtures.ts";

const EPOCHS = 20;

function run(name: string, without?: keyof Scenario["populations"]): SimResult {
  const scenario = loadScenario(join(SCENARIOS, `${name}.yaml`));
  if (without) delete scenario.populations[without];
  return simulate(scenario, { epochs: EPOCHS, seed: 7 });
}

const last = (r: SimResult) => r.epochs.at(-1)!;
const honest = (r: SimResult) => last(r).honestClaimedTotal;
const lin = (planck: bigint) => `${Number(planck) / 1e12} LIN`;

describe("attackers at their best over 20 epochs", () => {
  const attacks = run("attacks");

  it("the optimal wash trader loses in every epoch, and honest contributors lose less", () => {
    for (const f of attacks.epochs)
      assert.ok(f.washTraderReturn! < 0n, `epoch ${f.epoch}: ${lin(f.washTraderReturn!)}`);
    const loss = -last(attacks).washTraderReturn!;
    const without = run("attacks", "washTraders");
    assert.ok(
      honest(without) - honest(attacks) <= loss,
      `honest claims ${lin(honest(attacks))} with, ${lin(honest(without))} without; it lost ${lin(loss)}`,
    );
  });

  it("the colluding curator and partner end below zero, and honest contributors lose less", () => {
    const end = last(attacks).colluderReturn!;
    assert.ok(end < 0n, `colluders end at ${lin(end)}`);
    assert.ok(
      attacks.epochs.some((f) => f.challengesUpheld > 0),
      "the challenger caught the junk",
    );
    const without = run("attacks", "colluders");
    assert.ok(
      honest(without) - honest(attacks) <= -end,
      `honest claims ${lin(honest(attacks))} with, ${lin(honest(without))} without; they lost ${lin(-end)}`,
    );
  });

  it("the self-serving manifest is accepted at the bound and moves only the skew", () => {
    assert.deepEqual(attacks.failures, {}, "every call of the run succeeded");
    const gain = attacks.epochs.reduce((a, f) => a + f.manifestSkewGain!, 0n);
    assert.ok(gain > 0n, `the bound lets it tilt its split (${lin(gain)})`);
    // It sells real inference: what the skew moved is a small part of what it made.
    assert.ok(
      gain * 10n < last(attacks).manifestGamerReturn!,
      lin(last(attacks).manifestGamerReturn!),
    );
  });

  it("the near-duplicate farm ends below zero, and honest contributors lose less", () => {
    const measured = run("measured-attribution");
    const end = last(measured).copierReturn!;
    assert.ok(end < 0n, `copiers end at ${lin(end)}`);
    const without = run("measured-attribution", "copiers");
    assert.ok(
      honest(without) - honest(measured) <= -end,
      `honest claims ${lin(honest(measured))} with, ${lin(honest(without))} without; they lost ${lin(-end)}`,
    );
  });
});
