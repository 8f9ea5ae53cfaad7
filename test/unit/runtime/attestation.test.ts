// Measured windows end to end on the runtime: a measured model's data share held per window, the
// window opened once its emission is minted, the query log, selection, commit–reveal, quorum,
// slashing of the dissenter and of the silent, fees, claims with Merkle proofs, disputes,
// escalation, the council, and the fallback to the declared manifest. Every block runs the
// try-state checks, including the attribution account covering pools, pots and unclaimed leaves.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { u128ToBytes } from "../../../primitives/amount.ts";
import {
  attestation,
  eligibleAttestors,
  getAttestor,
  getRound,
  getWindow,
  roundSize,
  select,
  selectionSeed,
  UNMEASURABLE_ROOT,
  WindowPhase,
} from "../../../runtime/pallets/attestation/index.ts";
import {
  ATTRIBUTION_ACCOUNT,
  getPool,
  getWindowPot,
  leafClaimedAt,
} from "../../../runtime/pallets/attribution/index.ts";
import { freeBalance, reservedBalance } from "../../../runtime/pallets/balances.ts";
import { storage as systemStorage } from "../../../runtime/pallets/system.ts";
import { TREASURY_ACCOUNT } from "../../../runtime/pallets/transaction-payment.ts";
import { encodeCall } from "../../../runtime/signing.ts";
import { StateOverlay } from "../../../state/overlay.ts";
import {
  amountOf,
  buildMeasuredMarket,
  CONTRIBUTORS,
  claimArgs,
  commitAndReveal,
  commitArgs,
  distributable,
  MODEL,
  measuredChain,
  pay,
  QUERY_ROOT,
  report,
  revealArgs,
  selected,
  selectedNames,
  settledAmount,
  submitQueryLog,
  until,
} from "./fixtures/measured-market.ts";
import { UNIT } from "./fixtures/registry-harness.ts";
import { contextOver, pub, type TestChain } from "./fixtures/test-chain.ts";

/** A market with `units` paid in window 0 and the window opened; returns the chain. */
function openedWindow(units = 10, params: Record<string, string> = {}): TestChain {
  const chain = measuredChain(params);
  buildMeasuredMarket(chain);
  pay(chain, "eve", units);
  until(chain, "WindowOpened");
  return chain;
}

/** Honest amounts summing to the window's distributable pot: 1 : 2 : 3 : 4 over contributions 0–3. */
function honest(chain: TestChain, window = 0) {
  const pot = distributable(chain, window);
  const unit = pot / 10n;
  return report([unit, 2n * unit, 3n * unit, pot - 6n * unit]);
}

const failed = (
  chain: TestChain,
  from: Parameters<TestChain["sign"]>[0],
  call: string,
  args: object,
) => {
  const outcome = chain.block([chain.sign(from, call, args)]).outcomes[0]!;
  return outcome.success ? "ok" : outcome.error;
};

describe("attestation: a measured window", () => {
  it("holds the data share for the window instead of paying the manifest's pools", () => {
    const chain = measuredChain();
    buildMeasuredMarket(chain);
    const { events } = pay(chain, "eve", 10);
    const paid = events.find((e) => e.name === "InferencePaid")!.data;
    assert.equal(paid.measured, true);
    const pot = getWindowPot(chain.state, MODEL, paid.window as number)!;
    assert.equal(pot.held, amountOf(paid.dataShare));
    assert.equal(pot.units, 10);
    assert.equal(getPool(chain.state, 0, 1), undefined, "no pool was paid");
    assert.equal(getWindow(chain.state, MODEL, 0), undefined, "not opened while the window runs");
  });

  it("opens the window once emission of its epochs is minted, with the pot and fee it will pay", () => {
    const chain = measuredChain();
    buildMeasuredMarket(chain);
    pay(chain, "eve", 10);
    const { block } = until(chain, "WindowOpened");
    const win = getWindow(chain.state, MODEL, 0)!;
    const pot = getWindowPot(chain.state, MODEL, 0)!;
    // Emission minted into the pot in the same block, before the window opened.
    assert.ok(block.events.some((e) => e.name === "WindowRewarded"));
    assert.ok(pot.emission > 0n);
    assert.equal(win.pot, pot.held);
    assert.equal(win.fee, (pot.held * 20_000n) / 1_000_000n);
    assert.equal(win.distributable, win.pot - win.fee);
    assert.equal(win.phase, WindowPhase.queryLog);
  });

  it("selects attestors deterministically from the seed, and is final with M of N; the dissenter is slashed, the agreeing paid", () => {
    const chain = openedWindow();
    const before = Object.fromEntries(
      (["alice", "charlie", "ferdie"] as const).map((a) => [
        a,
        getAttestor(chain.state, pub(a))!.bond,
      ]),
    );
    // The selection the runtime makes is the documented one: rank by blake2b(seed ‖ account).
    const preview = new StateOverlay(chain.state);
    const ok = submitQueryLog(chain, 0, 10);
    assert.equal(ok.outcomes[0]!.success, true);
    // Nobody is selected in the submitting block: its sender could have chosen the seed.
    assert.equal(getRound(ok.overlay, MODEL, 0, 0), undefined);
    assert.ok(ok.selection!.events.some((e) => e.name === "RoundStarted"));
    const round = getRound(chain.state, MODEL, 0, 0)!;
    assert.equal(round.quorum, 2);
    const expected = select(round.seed, eligibleAttestors(preview), roundSize(preview, 0, 3).size);
    assert.deepEqual(round.selected, expected);
    assert.deepEqual(
      round.seed,
      selectionSeed(ok.selection!.overlay, MODEL, 0, 0),
      "seeded by the hash of the block with the query log, and the model, window and round",
    );
    assert.deepEqual(systemStorage.parentHash.get(ok.selection!.overlay), chain.hashes.at(-2));

    const good = honest(chain);
    const [a, b, c] = selectedNames(chain, 0, 0);
    const wrong = report([good.total, 0n, 0n, 0n]);
    const reveal = commitAndReveal(chain, 0, 0, { [a!]: good, [b!]: good, [c!]: wrong });
    assert.ok(
      reveal.events.some((e) => e.name === "QuorumReached"),
      "all revealed: tallied at once",
    );
    const { event } = until(chain, "Finalized");
    assert.deepEqual(event.data.root, good.root);

    const win = getWindow(chain.state, MODEL, 0)!;
    assert.equal(win.phase, WindowPhase.final);
    const dissenter = getAttestor(chain.state, pub(c!))!;
    assert.equal(dissenter.bond, before[c!]! - before[c!]! / 10n, "10% of its bond");
    assert.equal(dissenter.dissented, 1);
    assert.equal(dissenter.open, 0);
    for (const honestOne of [a!, b!]) {
      const record = getAttestor(chain.state, pub(honestOne))!;
      assert.equal(record.bond, before[honestOne]);
      assert.equal(record.agreed, 1);
      assert.equal(record.earned, win.fee / 2n + (honestOne === a ? win.fee % 2n : 0n));
    }
    const settlement = settledAmount(chain, 0)!;
    assert.equal(settlement.measured, true);
    assert.equal(settlement.distributable, win.distributable);
    assert.equal(settlement.fees, win.fee);
  });

  it("pays each leaf once with its proof, exactly, and nothing else", () => {
    const chain = openedWindow();
    submitQueryLog(chain, 0, 10);
    const good = honest(chain);
    const names = selectedNames(chain, 0, 0);
    commitAndReveal(chain, 0, 0, Object.fromEntries(names.map((n) => [n, good])));
    until(chain, "Finalized");
    const pot = freeBalance(chain.state, ATTRIBUTION_ACCOUNT);

    // A wrong amount, a proof of another leaf, a claim by someone else: refused, nothing moves.
    const wrongAmount = {
      ...claimArgs(0, good.entries, 0),
      amount: u128ToBytes(good.entries[0]!.amount + 1n),
    };
    assert.equal(
      failed(chain, "bob", "Attribution.claimMeasured", wrongAmount),
      "Attribution.BadProof",
    );
    const otherProof = {
      ...claimArgs(0, good.entries, 0),
      siblings: claimArgs(0, good.entries, 1).siblings,
    };
    assert.equal(
      failed(chain, "bob", "Attribution.claimMeasured", otherProof),
      "Attribution.BadProof",
    );
    assert.equal(
      failed(chain, "eve", "Attribution.claimMeasured", claimArgs(0, good.entries, 0)),
      "Attribution.NotContributor",
    );
    assert.equal(
      failed(chain, "bob", "Attribution.claimMeasured", {
        ...claimArgs(0, good.entries, 0),
        window: 1,
      }),
      "Attribution.NotSettled",
    );

    let paid = 0n;
    for (const [i, entry] of good.entries.entries()) {
      const who = CONTRIBUTORS[entry.contributionId]!;
      const balance = freeBalance(chain.state, pub(who));
      const block = chain.block([
        chain.sign(who, "Attribution.claimMeasured", claimArgs(0, good.entries, i)),
      ]);
      assert.equal(block.outcomes[0]!.success, true);
      const fee = block.events
        .filter((e) => e.name === "TransactionFeePaid")
        .reduce((s, e) => s + amountOf(e.data.fee), 0n);
      assert.equal(freeBalance(chain.state, pub(who)), balance + entry.amount - fee);
      assert.equal(leafClaimedAt(chain.state, MODEL, 0, entry.contributionId), chain.headNumber);
      paid += entry.amount;
    }
    assert.equal(paid, settledAmount(chain, 0)!.distributable);
    assert.equal(settledAmount(chain, 0)!.claimed, paid);
    assert.equal(
      failed(chain, "bob", "Attribution.claimMeasured", claimArgs(0, good.entries, 0)),
      "Attribution.AlreadyClaimed",
    );
    // The claims came out of the attribution account and nowhere else.
    assert.equal(freeBalance(chain.state, ATTRIBUTION_ACCOUNT), pot - paid);
  });

  it("refuses the attestation mistakes with typed errors and moves nothing", () => {
    // Long phases: each refused call below takes a block of its own.
    const chain = openedWindow(10, {
      attestationQueryLogBlocks: "10",
      attestationCommitBlocks: "10",
      attestationRevealBlocks: "10",
    });
    assert.equal(
      failed(chain, "dave", "Attestation.submitQueryLog", {
        modelId: MODEL,
        window: 0,
        root: QUERY_ROOT,
        count: 9,
        uri: "",
      }),
      "Attestation.QueryCountMismatch",
    );
    assert.equal(
      failed(chain, "eve", "Attestation.submitQueryLog", {
        modelId: MODEL,
        window: 0,
        root: QUERY_ROOT,
        count: 10,
        uri: "",
      }),
      "Attestation.NotServer",
    );
    assert.equal(
      failed(chain, "dave", "Attestation.submitQueryLog", {
        modelId: MODEL,
        window: 5,
        root: QUERY_ROOT,
        count: 10,
        uri: "",
      }),
      "Attestation.NotOpen",
    );
    submitQueryLog(chain, 0, 10);
    const good = honest(chain);
    const selected = selectedNames(chain, 0, 0);
    const outsider = (["alice", "bob", "charlie", "dave", "eve", "ferdie"] as const).find(
      (n) => !selected.includes(n),
    )!;
    assert.equal(
      failed(chain, outsider, "Attestation.commitReport", commitArgs(0, 0, outsider, good)),
      "Attestation.NotSelected",
    );
    assert.equal(
      failed(chain, selected[0]!, "Attestation.commitReport", commitArgs(0, 1, selected[0]!, good)),
      "Attestation.WrongRound",
    );
    assert.equal(
      failed(chain, selected[0]!, "Attestation.revealReport", revealArgs(0, 0, good)),
      "Attestation.WrongPhase",
    );
    chain.block(
      selected.map((n) => chain.sign(n, "Attestation.commitReport", commitArgs(0, 0, n, good))),
    );
    // A reveal that does not match its commit, and a total that is not the pot.
    const other = report([good.total, 0n, 0n, 0n]);
    assert.equal(
      failed(chain, selected[0]!, "Attestation.revealReport", revealArgs(0, 0, other)),
      "Attestation.CommitMismatch",
    );
    const short = report([1n, 0n, 0n, 0n]);
    assert.equal(
      failed(chain, selected[0]!, "Attestation.revealReport", revealArgs(0, 0, short)),
      "Attestation.TotalMismatch",
    );
    // Two reveal, the third is late: the window has moved on (quorum reached when the deadline came).
    chain.block(
      selected
        .slice(0, 2)
        .map((n) => chain.sign(n, "Attestation.revealReport", revealArgs(0, 0, good))),
    );
    until(chain, "QuorumReached");
    assert.equal(
      failed(chain, selected[2]!, "Attestation.revealReport", revealArgs(0, 0, good)),
      "Attestation.WrongPhase",
    );
    until(chain, "Finalized");
    const late = getAttestor(chain.state, pub(selected[2]!))!;
    assert.equal(late.missed, 1, "committed but never revealed: slashed as missing");
  });

  it("falls back to the declared manifest when no query log comes, and nothing is stuck", () => {
    const chain = openedWindow();
    const win = getWindow(chain.state, MODEL, 0)!;
    const { event } = until(chain, "FellBack");
    assert.equal(event.data.reason, 0);
    assert.equal(getWindow(chain.state, MODEL, 0)!.phase, WindowPhase.declared);
    // The whole pot went to the manifest's pools, 60 : 40, the remainder to the first.
    const p0 = getPool(chain.state, 0, 1)!;
    const p1 = getPool(chain.state, 1, 1)!;
    assert.equal(p0.deposited + p1.deposited, win.pot);
    assert.equal(p1.deposited, (win.pot * 400_000n) / 1_000_000n);
    assert.equal(settledAmount(chain, 0)!.measured, false);
  });

  it("escalates a split round to a larger set, then to the council, whose root is final", () => {
    const chain = measuredChain();
    buildMeasuredMarket(chain, ["alice", "charlie", "ferdie", "bob", "eve"]);
    pay(chain, "eve", 10);
    until(chain, "WindowOpened");
    submitQueryLog(chain, 0, 10);
    const good = honest(chain);
    const reports = [good, report([good.total, 0n, 0n, 0n]), report([0n, good.total, 0n, 0n])];
    const round0 = selectedNames(chain, 0, 0);
    assert.equal(round0.length, 3);
    commitAndReveal(chain, 0, 0, Object.fromEntries(round0.map((n, i) => [n, reports[i]!])));
    // Three different roots: no quorum, round 1 selects min(3·2, 5) = 5 with quorum ⌈5·2/3⌉ = 4.
    selected(chain, 0);
    const round1 = getRound(chain.state, MODEL, 0, 1)!;
    assert.equal(round1.selected.length, 5);
    assert.equal(round1.quorum, 4);
    const names1 = selectedNames(chain, 0, 1);
    commitAndReveal(
      chain,
      0,
      1,
      Object.fromEntries(names1.map((n, i) => [n, i < 3 ? good : reports[1]!])),
    );
    // Three of five is below the quorum, and attestationMaxRounds = 2: the council decides.
    selected(chain, 0);
    assert.equal(getWindow(chain.state, MODEL, 0)!.phase, WindowPhase.council);
    const resolve = encodeCall("Attestation.resolveByCouncil", {
      modelId: MODEL,
      window: 0,
      root: good.root,
      total: u128ToBytes(good.total),
      leafCount: good.entries.length,
    });
    const { events } = chain.block([chain.sign("alice", "Sudo.sudo", { call: resolve })]);
    assert.deepEqual(events.find((e) => e.name === "Sudid")!.data, { ok: true, error: "" });
    assert.equal(getWindow(chain.state, MODEL, 0)!.phase, WindowPhase.final);
    // Everyone who revealed the council's root was right in either round; the others lost 10%.
    for (const n of new Set([...round0, ...names1])) {
      const a = getAttestor(chain.state, pub(n))!;
      assert.equal(a.open, 0);
      assert.equal(a.agreed + a.dissented + a.missed, a.selected, n);
    }
  });

  it("pays by the declared manifest when the council does not decide in time", () => {
    const chain = openedWindow();
    submitQueryLog(chain, 0, 10);
    const names = selectedNames(chain, 0, 0);
    const good = honest(chain);
    commitAndReveal(chain, 0, 0, {
      [names[0]!]: good,
      [names[1]!]: report([good.total, 0n, 0n, 0n]),
    });
    until(chain, "CouncilPhase");
    const bonds = names.map((n) => getAttestor(chain.state, pub(n))!.bond);
    const { event } = until(chain, "FellBack");
    assert.equal(event.data.reason, 1);
    // Round 1 selected the same three (nobody else is bonded) and nobody committed. A window paid
    // by the declared manifest has no verdict: nobody is judged at fault, nobody is slashed (an
    // owner whose inputs cannot be checked cannot drain honest attestors' bonds this way).
    for (const [i, n] of names.entries()) {
      const a = getAttestor(chain.state, pub(n))!;
      assert.equal(a.bond, bonds[i]);
      assert.equal(a.dissented + a.missed, 0);
      assert.equal(a.open, 0);
    }
  });

  it("a dispute of a wrong quorum root wins back its bond with a reward; the colluding majority is slashed", () => {
    const chain = measuredChain();
    buildMeasuredMarket(chain, ["alice", "charlie", "ferdie", "bob", "eve"]);
    pay(chain, "eve", 10);
    until(chain, "WindowOpened");
    submitQueryLog(chain, 0, 10);
    const good = honest(chain);
    const colluding = report([good.total, 0n, 0n, 0n]);
    const names0 = selectedNames(chain, 0, 0);
    commitAndReveal(
      chain,
      0,
      0,
      Object.fromEntries(names0.map((n, i) => [n, i < 2 ? colluding : good])),
    );
    assert.equal(getWindow(chain.state, MODEL, 0)!.phase, WindowPhase.dispute);
    const before = freeBalance(chain.state, pub("dave"));
    const disputed = chain.block([
      chain.sign("dave", "Attestation.dispute", { modelId: MODEL, window: 0 }),
    ]);
    assert.equal(disputed.outcomes[0]!.success, true);
    assert.equal(reservedBalance(chain.state, pub("dave")), 5n * UNIT);
    const names1 = selectedNames(chain, 0, 1);
    commitAndReveal(chain, 0, 1, Object.fromEntries(names1.map((n) => [n, good])));
    until(chain, "Finalized");
    assert.equal(reservedBalance(chain.state, pub("dave")), 0n);
    const slashed = names0
      .slice(0, 2)
      .reduce((s, n) => s + getAttestor(chain.state, pub(n))!.slashed, 0n);
    assert.ok(slashed > 0n);
    const fees = disputed.events
      .filter((e) => e.name === "TransactionFeePaid")
      .reduce((s, e) => s + amountOf(e.data.fee), 0n);
    assert.equal(freeBalance(chain.state, pub("dave")), before - fees + slashed / 2n);
  });

  it("a dispute of the right root loses its bond to the treasury", () => {
    const chain = measuredChain();
    buildMeasuredMarket(chain, ["alice", "charlie", "ferdie", "bob", "eve"]);
    pay(chain, "eve", 10);
    until(chain, "WindowOpened");
    submitQueryLog(chain, 0, 10);
    const good = honest(chain);
    commitAndReveal(
      chain,
      0,
      0,
      Object.fromEntries(selectedNames(chain, 0, 0).map((n) => [n, good])),
    );
    chain.block([chain.sign("dave", "Attestation.dispute", { modelId: MODEL, window: 0 })]);
    assert.equal(
      failed(chain, "bob", "Attestation.dispute", { modelId: MODEL, window: 0 }),
      "Attestation.WrongPhase",
    );
    commitAndReveal(
      chain,
      0,
      1,
      Object.fromEntries(selectedNames(chain, 0, 1).map((n) => [n, good])),
    );
    const treasury = freeBalance(chain.state, TREASURY_ACCOUNT);
    until(chain, "Finalized");
    assert.equal(reservedBalance(chain.state, pub("dave")), 0n);
    assert.ok(freeBalance(chain.state, TREASURY_ACCOUNT) >= treasury + 5n * UNIT);
  });

  it("keeps an attestor's bond while a window that selected it is open, and returns it after", () => {
    const chain = openedWindow();
    submitQueryLog(chain, 0, 10);
    const [first] = selectedNames(chain, 0, 0);
    const unbond = chain.block([chain.sign(first!, "Attestation.unbond", {})]);
    assert.ok(unbond.events.some((e) => e.name === "Unbonding"));
    assert.equal(failed(chain, first!, "Attestation.withdraw", {}), "Attestation.StillBonded");
    for (let i = 0; i < 5; i++) chain.block();
    assert.equal(failed(chain, first!, "Attestation.withdraw", {}), "Attestation.StillAssigned");
    until(chain, "FellBack", 40);
    const reserved = reservedBalance(chain.state, pub(first!));
    const bond = getAttestor(chain.state, pub(first!))!.bond;
    assert.equal(failed(chain, first!, "Attestation.withdraw", {}), "ok");
    assert.equal(reservedBalance(chain.state, pub(first!)), reserved - bond);
    assert.equal(getAttestor(chain.state, pub(first!)), undefined);
  });

  it("refuses bonds below the minimum and past the attestor limit", () => {
    const chain = measuredChain({ attestationMaxAttestors: "3" });
    buildMeasuredMarket(chain);
    assert.equal(
      failed(chain, "bob", "Attestation.bond", { amount: u128ToBytes(UNIT) }),
      "Attestation.TooManyAttestors",
    );
    const small = measuredChain();
    buildMeasuredMarket(small);
    assert.equal(
      failed(small, "bob", "Attestation.bond", { amount: u128ToBytes(UNIT) }),
      "Attestation.BondTooLow",
    );
    assert.equal(
      failed(small, "bob", "Attestation.bond", { amount: u128ToBytes(0n) }),
      "Attestation.ZeroAmount",
    );
  });

  it("a quorum on UNMEASURABLE_ROOT pays the checkers and the declared manifest; the silent are slashed", () => {
    const chain = openedWindow(10, { attestationRevealBlocks: "10" });
    submitQueryLog(chain, 0, 10);
    const names = selectedNames(chain, 0, 0);
    const unmeasurable = { root: UNMEASURABLE_ROOT, total: 0n, entries: [] };
    // The unmeasurable root takes no total and no leaves; a report with leaves takes at most one
    // per contribution of the manifest's versions (four here).
    const five = report([distributable(chain, 0), 0n, 0n, 0n, 0n]);
    chain.block(
      names
        .slice(0, 2)
        .map((n) => chain.sign(n, "Attestation.commitReport", commitArgs(0, 0, n, unmeasurable))),
    );
    chain.block([
      chain.sign(names[2]!, "Attestation.commitReport", commitArgs(0, 0, names[2]!, five)),
    ]);
    assert.equal(
      failed(chain, names[2]!, "Attestation.revealReport", revealArgs(0, 0, five)),
      "Attestation.TooManyLeaves",
    );
    const wrongShape = { ...revealArgs(0, 0, unmeasurable), total: u128ToBytes(1n) };
    assert.equal(
      failed(chain, names[0]!, "Attestation.revealReport", wrongShape),
      "Attestation.TotalMismatch",
    );
    chain.block(
      names
        .slice(0, 2)
        .map((n) => chain.sign(n, "Attestation.revealReport", revealArgs(0, 0, unmeasurable))),
    );
    const win = getWindow(chain.state, MODEL, 0)!;
    until(chain, "Finalized");
    const settlement = settledAmount(chain, 0)!;
    assert.equal(settlement.measured, false, "paid by the declared manifest");
    assert.equal(settlement.fees, win.fee);
    const p0 = getPool(chain.state, 0, 1)!;
    const p1 = getPool(chain.state, 1, 1)!;
    assert.equal(p0.deposited + p1.deposited, win.distributable);
    for (const n of names.slice(0, 2)) assert.equal(getAttestor(chain.state, pub(n))!.agreed, 1);
    assert.equal(getAttestor(chain.state, pub(names[2]!))!.missed, 1);
  });

  it("a dispute the later rounds do not overturn leaves the quorum root final and costs its bond", () => {
    const chain = openedWindow();
    submitQueryLog(chain, 0, 10);
    const good = honest(chain);
    commitAndReveal(
      chain,
      0,
      0,
      Object.fromEntries(selectedNames(chain, 0, 0).map((n) => [n, good])),
    );
    chain.block([chain.sign("dave", "Attestation.dispute", { modelId: MODEL, window: 0 })]);
    // Round 1 (the same three, nobody else is bonded) stays silent; the council does not act.
    until(chain, "CouncilPhase");
    const { event } = until(chain, "Finalized");
    assert.deepEqual(event.data.root, good.root);
    assert.equal(reservedBalance(chain.state, pub("dave")), 0n, "its bond is gone");
    assert.equal(settledAmount(chain, 0)!.measured, true);
  });

  it("ends every phase at its deadline, even when the hook gets to it late", () => {
    const chain = openedWindow();
    submitQueryLog(chain, 0, 10);
    const [first] = selectedNames(chain, 0, 0);
    const win = getWindow(chain.state, MODEL, 0)!;
    const commit = attestation.calls.find((c) => c.name === "commitReport")!;
    const args = commitArgs(0, 0, first!, honest(chain));
    // The commit call in the deadline block, before any hook ran (as when the due queue is full).
    const attempt = (blockNumber: number) => {
      const overlay = new StateOverlay(chain.state);
      try {
        commit.handler(
          { ...contextOver(overlay), blockNumber },
          { kind: "signed", account: pub(first!) },
          args,
        );
        return "ok";
      } catch (error) {
        return `${(error as { code: string }).code}: ${(error as Error).message}`;
      }
    };
    assert.equal(attempt(win.deadline - 1), "ok");
    assert.match(
      attempt(win.deadline),
      /^Attestation\.WrongPhase: .*commit phase ended at block #\d+/,
    );
  });

  it("unbonds an attestor slashed below the minimum; anyone may then return its bond and free its slot", () => {
    const chain = openedWindow(10, { attestationSlashPpm: "1000000" });
    submitQueryLog(chain, 0, 10);
    const names = selectedNames(chain, 0, 0);
    const good = honest(chain);
    commitAndReveal(chain, 0, 0, { [names[0]!]: good, [names[1]!]: good });
    until(chain, "Finalized");
    const silent = getAttestor(chain.state, pub(names[2]!))!;
    assert.equal(silent.bond, 0n, "all of it, at attestationSlashPpm = 100%");
    assert.ok(silent.unbondingAt > 0);
    while (chain.headNumber < silent.unbondingAt) chain.block();
    assert.equal(failed(chain, "eve", "Attestation.withdraw", { account: pub(names[2]!) }), "ok");
    assert.equal(getAttestor(chain.state, pub(names[2]!)), undefined);
  });
});
