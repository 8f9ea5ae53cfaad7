// The shipped scenarios in a shortened form (fewer epochs, smaller populations), each checked for
// the outcome a researcher would expect from the rules, computed from the simulator's output.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rowsOf, runShipped } from "./fixtures.ts";

describe("shipped scenarios", () => {
  it("spam wave: the spammers' return on bond turns negative and they all stop", () => {
    const rows = rowsOf(runShipped("spam-wave", { epochs: 6, scale: 0.5 }));
    const active = rows.map((r) => r.spammersActive as number);
    const firstActive = active.findIndex((n) => n > 0);
    assert.ok(firstActive >= 0, "spammers submitted");
    const stoppedAt = active.findIndex((n, i) => i > firstActive && n === 0);
    assert.ok(stoppedAt > firstActive, `spammers stopped (active per epoch: ${active})`);
    assert.ok(
      active.slice(stoppedAt).every((n) => n === 0),
      "and did not come back",
    );
    const roi = rows.map((r) => r.spamReturnOnBond);
    assert.ok((roi[stoppedAt] as number) < 0, `return on bond when they stopped: ${roi}`);
    assert.ok((rows.at(-1)!.honestActive as number) > 0, "honest contributors carry on");
    assert.ok(rows.some((r) => (r.rejected as number) > 0));
  });

  it("healthy marketplace: paid volume every epoch after setup, honest contributors stay and earn", () => {
    const rows = rowsOf(runShipped("healthy-marketplace", { epochs: 6, scale: 0.5 }));
    for (const r of rows.slice(1)) assert.ok((r.volume as bigint) > 0n, `epoch ${r.epoch} volume`);
    const honest = rows.map((r) => r.honestActive as number);
    assert.equal(honest.at(-1), Math.max(...honest), `honest contributors stay: ${honest}`);
    assert.ok((rows.at(-1)!.honestIncome as bigint) > 0n);
  });

  it("wash trading: the attacker's payments are counted as self-dealing, not volume", () => {
    const rows = rowsOf(runShipped("wash-trading", { epochs: 5, scale: 0.5 }));
    for (const r of rows.slice(1)) {
      assert.ok((r.selfDealing as bigint) > 0n, `epoch ${r.epoch} self-dealing`);
      assert.equal(r.selfDealing, r.washTraderPayments, `epoch ${r.epoch}: all of its payments`);
      assert.ok((r.volume as bigint) > 0n, `epoch ${r.epoch} real volume`);
    }
  });

  it("subsidy dependence: no paid volume at first, a trickle later; contributors leave after their grace", () => {
    const rows = rowsOf(runShipped("subsidy-dependence", { epochs: 6, scale: 0.5 }));
    const volume = rows.map((r) => r.volume as bigint);
    const start = volume.findIndex((v) => v > 0n);
    assert.ok(start > 1, `nobody pays in the first epochs: ${volume}`);
    assert.ok(
      volume.slice(start).every((v) => v > 0n),
      `then a trickle every epoch: ${volume}`,
    );
    for (const r of rows.slice(start))
      assert.ok(
        (r.volume as bigint) * 1000n < (r.emitted as bigint),
        `epoch ${r.epoch}: volume ${r.volume} is a trickle beside emission ${r.emitted}`,
      );
    const honest = rows.map((r) => r.honestActive as number);
    assert.ok(Math.max(...honest) > 0 && honest.at(-1) === 0, `active per epoch: ${honest}`);
    // Paused contributors still claim what the trickle pays their old contributions: the income is
    // per contributor who claimed, so it exists in epochs with nobody contributing.
    const paused = rows.filter((r) => r.honestActive === 0 && (r.honestClaimed as bigint) > 0n);
    assert.ok(paused.length > 0, "paused contributors claimed");
    for (const r of paused) {
      const claimants = BigInt(r.honestClaimants as number);
      assert.ok(claimants > 0n);
      assert.equal(r.honestIncome, (r.honestClaimed as bigint) / claimants);
    }
  });

  it("robotics startup: licences and inference are paid and contributors earn from them", () => {
    const result = runShipped("robotics-startup", { epochs: 5, scale: 0.5 });
    const rows = rowsOf(result);
    const fee = result.scenario.datanets.licenceFee!;
    for (const r of rows) {
      // The marketplace's volume is exactly the licence fees and inference payments seen in events.
      assert.equal(
        r.volume,
        (r.licenceFees as bigint) + (r.inferencePayments as bigint),
        `epoch ${r.epoch} volume`,
      );
      assert.equal(r.licenceFees, BigInt(r.licencesPurchased as number) * fee);
    }
    const licensing = rows.filter((r) => (r.licencesPurchased as number) > 0);
    assert.ok(licensing.length > 0, "licences were bought");
    for (const r of licensing)
      assert.ok(
        (r.volume as bigint) > (r.inferencePayments as bigint),
        `epoch ${r.epoch}: licences add to volume beyond inference`,
      );
    assert.ok(rows.some((r) => (r.inferencePayments as bigint) > 0n));
    assert.ok(
      rows.some(
        (r) => (r.honestIncome as bigint | null) !== null && (r.honestIncome as bigint) > 0n,
      ),
    );
  });
});
