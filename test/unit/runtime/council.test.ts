import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { u128ToBytes } from "../../../primitives/amount.ts";
import { compareBytes } from "../../../primitives/bytes.ts";
import type { Call } from "../../../primitives/chain.ts";
import type { DevAccountName } from "../../../primitives/dev-accounts.ts";
import { InvariantError, TransactionError } from "../../../runtime/errors.ts";
import { storage as authorityStorage, currentEpoch } from "../../../runtime/pallets/authorities.ts";
import {
  councilInvariants,
  councilMembers,
  storage as councilStorage,
  councilThreshold,
  openProposals,
  ProposalStatus,
} from "../../../runtime/pallets/council.ts";
import { PARAMS, type ParamName, param } from "../../../runtime/pallets/params.ts";
import { encodeCall } from "../../../runtime/signing.ts";
import { StateOverlay } from "../../../state/overlay.ts";
import {
  type BlockResult,
  type DecodedEvent,
  devSpecWith,
  pub,
  TestChain,
} from "./fixtures/test-chain.ts";

const DELAY = Number(PARAMS.councilEnactmentDelay.default);

const setParam = (name: string, value: bigint) =>
  encodeCall("Params.setParam", { name, value: u128ToBytes(value) });
const setMembers = (members: DevAccountName[], threshold: number) =>
  encodeCall("Council.setMembers", { members: members.map(pub), threshold });
const sorted = (names: DevAccountName[]) => names.map(pub).sort(compareBytes);

/** The call's outcome in a block of one extrinsic: "ok" or the error code. */
function outcome(result: BlockResult): string {
  const first = result.outcomes[0]!;
  return first.success ? "ok" : first.error;
}

const councilEvents = (result: BlockResult): DecodedEvent[] =>
  result.events.filter((e) => e.pallet === "Council");

function propose(chain: TestChain, who: DevAccountName, call: Call): BlockResult {
  return chain.block([chain.sign(who, "Council.propose", { call })]);
}

function vote(chain: TestChain, who: DevAccountName, name: "approve" | "cancel", id: number) {
  return chain.block([chain.sign(who, `Council.${name}`, { id })]);
}

/** Produces empty blocks until the head is `number`. */
function runTo(chain: TestChain, number: number): BlockResult | undefined {
  let last: BlockResult | undefined;
  while (chain.headNumber < number) last = chain.block();
  return last;
}

/** Alice proposes, bob approves: the proposal (id 0) is scheduled; returns its enactment block. */
function scheduled(chain: TestChain, call: Call): number {
  assert.equal(outcome(propose(chain, "alice", call)), "ok");
  const approved = vote(chain, "bob", "approve", 0);
  assert.equal(outcome(approved), "ok");
  const event = councilEvents(approved).find((e) => e.name === "Scheduled")!;
  assert.ok(event, "the second approval schedules the proposal");
  return Number(event.data.enactAt);
}

describe("council", () => {
  it("dev genesis: alice, bob and charlie, sorted, with threshold 2", () => {
    const chain = new TestChain();
    assert.deepEqual(councilMembers(chain.state), sorted(["alice", "bob", "charlie"]));
    assert.equal(councilThreshold(chain.state), 2);
  });

  it("a parameter change takes effect exactly at its enactment block and not before", () => {
    const chain = new TestChain();
    const old = param(chain.state, "baseFee");
    const proposed = propose(chain, "alice", setParam("baseFee", old + 7n));
    assert.equal(outcome(proposed), "ok");
    assert.deepEqual(
      councilEvents(proposed).map((e) => e.name),
      ["Proposed"],
    );
    assert.equal(openProposals(chain.state)[0]?.proposal.status, ProposalStatus.pending);

    const approved = vote(chain, "bob", "approve", 0);
    assert.equal(outcome(approved), "ok");
    const names = councilEvents(approved).map((e) => [e.name, e.data]);
    assert.deepEqual(names[0], ["Approved", { id: 0, who: pub("bob"), votes: 2 }]);
    const enactAt = chain.headNumber + DELAY;
    assert.deepEqual(names[1], ["Scheduled", { id: 0, enactAt }]);
    assert.equal(param(chain.state, "baseFee"), old, "scheduling changes nothing yet");

    const before = runTo(chain, enactAt - 1)!;
    assert.equal(chain.headNumber, enactAt - 1);
    assert.equal(
      param(chain.state, "baseFee"),
      old,
      "the block before enactment has the old value",
    );
    assert.equal(councilEvents(before).length, 0);

    const enacted = chain.block();
    assert.equal(chain.headNumber, enactAt);
    assert.equal(param(chain.state, "baseFee"), old + 7n, "the enactment block has the new value");
    const enactedEvent = enacted.events.find((e) => e.name === "Enacted")!;
    assert.deepEqual(enactedEvent.data, { id: 0, ok: true, error: "" });
    assert.equal(enactedEvent.finalization, true, "emitted by onInitialize, before extrinsics");
    const changed = enacted.events.find((e) => e.name === "ParamChanged")!;
    assert.equal(changed.data.name, "baseFee");
    assert.deepEqual(openProposals(chain.state), []);
    assert.deepEqual([...councilStorage.due.entries(chain.state)], []);
  });

  it("the new value holds for the enactment block's own transactions", () => {
    const chain = new TestChain();
    const enactAt = scheduled(chain, setParam("councilMaxProposals", 1n));
    runTo(chain, enactAt - 1);
    // In the enactment block the limit is already 1: the first proposal fills it.
    const block = chain.block([
      chain.sign("alice", "Council.propose", { call: setParam("baseFee", 1n) }),
      chain.sign("bob", "Council.propose", { call: setParam("baseFee", 2n) }),
    ]);
    assert.deepEqual(
      block.outcomes.map((o) => (o.success ? "ok" : o.error)),
      ["ok", "Council.TooManyProposals"],
    );
  });

  it("the new value holds for the enactment block's hooks too: an epoch length change", () => {
    const chain = new TestChain();
    const enactAt = scheduled(chain, setParam("epochLength", 1n));
    runTo(chain, enactAt - 1);
    assert.equal(currentEpoch(chain.state), 0, "still the first 100-block epoch");
    // The council enacts before the other pallets' hooks: the authorities pallet already sees
    // one-block epochs in the enactment block and starts epoch 1 there.
    chain.block();
    assert.equal(currentEpoch(chain.state), 1);
    assert.equal(authorityStorage.epochStart.get(chain.state), enactAt);
  });

  it("refuses non-members: propose, approve and cancel", () => {
    const chain = new TestChain();
    assert.equal(outcome(propose(chain, "dave", setParam("baseFee", 1n))), "Council.NotMember");
    assert.equal(outcome(propose(chain, "alice", setParam("baseFee", 1n))), "ok");
    assert.equal(outcome(vote(chain, "dave", "approve", 0)), "Council.NotMember");
    assert.equal(outcome(vote(chain, "eve", "cancel", 0)), "Council.NotMember");
    assert.deepEqual(openProposals(chain.state)[0]?.proposal.approvals, [pub("alice")]);
  });

  it("refuses a second approval by the same member and approvals after scheduling", () => {
    const chain = new TestChain();
    assert.equal(outcome(propose(chain, "alice", setParam("baseFee", 1n))), "ok");
    assert.equal(outcome(vote(chain, "alice", "approve", 0)), "Council.AlreadyVoted");
    assert.equal(outcome(vote(chain, "bob", "approve", 0)), "ok");
    assert.equal(outcome(vote(chain, "charlie", "approve", 0)), "Council.AlreadyScheduled");
    assert.equal(outcome(vote(chain, "bob", "approve", 7)), "Council.UnknownProposal");
  });

  it("cancel votes at the threshold cancel a scheduled proposal; it is never enacted", () => {
    const chain = new TestChain();
    const old = param(chain.state, "baseFee");
    const enactAt = scheduled(chain, setParam("baseFee", old + 1n));
    const first = vote(chain, "bob", "cancel", 0);
    assert.deepEqual(
      councilEvents(first).map((e) => [e.name, e.data]),
      [["CancelVoted", { id: 0, who: pub("bob"), votes: 1 }]],
    );
    assert.equal(outcome(vote(chain, "bob", "cancel", 0)), "Council.AlreadyVoted");
    // Once scheduled, the proposer's cancel is a vote like any member's.
    const second = vote(chain, "alice", "cancel", 0);
    assert.deepEqual(
      councilEvents(second).map((e) => e.name),
      ["CancelVoted", "Cancelled"],
    );
    assert.deepEqual(openProposals(chain.state), []);
    assert.deepEqual([...councilStorage.due.entries(chain.state)], []);
    const at = runTo(chain, enactAt)!;
    assert.equal(param(chain.state, "baseFee"), old);
    assert.equal(councilEvents(at).length, 0);
  });

  it("the proposer alone withdraws its pending proposal; another member's cancel is a vote", () => {
    const chain = new TestChain();
    assert.equal(outcome(propose(chain, "alice", setParam("baseFee", 1n))), "ok");
    const voted = vote(chain, "bob", "cancel", 0);
    assert.deepEqual(
      councilEvents(voted).map((e) => e.name),
      ["CancelVoted"],
    );
    const withdrawn = vote(chain, "alice", "cancel", 0);
    assert.deepEqual(
      councilEvents(withdrawn).map((e) => [e.name, e.data]),
      [["Withdrawn", { id: 0 }]],
    );
    assert.deepEqual(openProposals(chain.state), []);
    assert.equal(outcome(vote(chain, "bob", "approve", 0)), "Council.UnknownProposal");
  });

  it("refuses at proposal time a value out of bounds, a bad combination, an unknown parameter, a non-root call", () => {
    const chain = new TestChain();
    const cases: [Call, string][] = [
      [setParam("feeBurnPpm", PARAMS.feeBurnPpm.max + 1n), "Params.OutOfBounds"],
      [setParam("councilEnactmentDelay", 0n), "Params.OutOfBounds"],
      // 900,000 + the treasury's 300,000 exceeds 10^6.
      [setParam("feeBurnPpm", 900_000n), "Params.OutOfBounds"],
      [setParam("blockReward", 1n), "Params.UnknownParam"],
      [
        encodeCall("Balances.transfer", { dest: pub("dave"), value: u128ToBytes(1n) }),
        "Balances.BadOrigin",
      ],
      [setMembers(["alice", "bob"], 3), "Council.InvalidMembers"],
    ];
    for (const [call, code] of cases) {
      assert.equal(outcome(propose(chain, "alice", call)), code);
    }
    assert.deepEqual(openProposals(chain.state), []);
    assert.equal(councilStorage.nextProposalId.get(chain.state), 0);
  });

  it("a proposed call that does not decode is refused by transaction validity, never dispatched", () => {
    const chain = new TestChain();
    const unknown = { pallet: 99, call: 0, args: new Uint8Array() };
    assert.throws(
      () => propose(chain, "alice", unknown),
      (error: unknown) => error instanceof TransactionError && error.code === "TX_CALL",
    );
  });

  it("an enactment that no longer holds reports Enacted ok=false and the block goes on", () => {
    const chain = new TestChain();
    // 700,000 burn + 300,000 treasury is fine when proposed…
    const enactAt = scheduled(chain, setParam("feeBurnPpm", 700_000n));
    // …but sudo raises the treasury share meanwhile, so the sum would exceed 10^6.
    const raised = chain.block([
      chain.sign("alice", "Sudo.sudo", { call: setParam("feeTreasuryPpm", 400_000n) }),
    ]);
    assert.deepEqual(raised.events.find((e) => e.name === "Sudid")!.data, { ok: true, error: "" });
    runTo(chain, enactAt - 1);
    const at = chain.block([chain.transfer("dave", pub("eve"), 10n ** 12n)]);
    assert.equal(outcome(at), "ok", "the enactment block's extrinsics still apply");
    assert.deepEqual(at.events.find((e) => e.name === "Enacted")!.data, {
      id: 0,
      ok: false,
      error: "Params.OutOfBounds",
    });
    assert.equal(param(chain.state, "feeBurnPpm"), 200_000n);
    assert.equal(at.events.filter((e) => e.name === "ParamChanged").length, 0);
    assert.deepEqual(openProposals(chain.state), []);
  });

  it("setMembers through a council proposal changes members and threshold; removed members' votes stop counting", () => {
    const chain = new TestChain();
    const enactAt = scheduled(chain, setMembers(["dave", "charlie", "bob"], 3));
    // A pending proposal that only alice approved and charlie voted to cancel: alice's votes
    // must stop counting once she is removed, charlie's stay.
    assert.equal(outcome(propose(chain, "alice", setParam("baseFee", 5n))), "ok");
    assert.equal(outcome(vote(chain, "charlie", "cancel", 1)), "ok");
    const at = runTo(chain, enactAt)!;
    const changed = at.events.find((e) => e.name === "MembersChanged")!;
    assert.deepEqual(changed.data, { members: sorted(["bob", "charlie", "dave"]), threshold: 3 });
    assert.deepEqual(at.events.find((e) => e.name === "Enacted")!.data, {
      id: 0,
      ok: true,
      error: "",
    });
    assert.deepEqual(councilMembers(chain.state), sorted(["bob", "charlie", "dave"]));
    assert.equal(councilThreshold(chain.state), 3);
    const pending = openProposals(chain.state);
    assert.equal(pending.length, 1);
    assert.deepEqual(pending[0]!.proposal.approvals, [], "alice's approval is dropped");
    assert.deepEqual(pending[0]!.proposal.cancelVotes, [pub("charlie")]);
    assert.equal(outcome(propose(chain, "alice", setParam("baseFee", 6n))), "Council.NotMember");
    // Three approvals are needed now: bob and dave are not enough, charlie makes three.
    assert.equal(outcome(vote(chain, "bob", "approve", 1)), "ok");
    assert.equal(outcome(vote(chain, "dave", "approve", 1)), "ok");
    assert.equal(openProposals(chain.state)[0]!.proposal.status, ProposalStatus.pending);
    const third = vote(chain, "charlie", "approve", 1);
    assert.ok(councilEvents(third).some((e) => e.name === "Scheduled"));
  });

  it("a threshold of one schedules a proposal as it is made", () => {
    const chain = new TestChain();
    const sudid = chain.block([
      chain.sign("alice", "Sudo.sudo", { call: setMembers(["alice"], 1) }),
    ]);
    assert.deepEqual(sudid.events.find((e) => e.name === "Sudid")!.data, { ok: true, error: "" });
    const proposed = propose(chain, "alice", setParam("baseFee", 3n));
    assert.deepEqual(
      councilEvents(proposed).map((e) => e.name),
      ["Proposed", "Scheduled"],
    );
  });

  it("setMembers signed directly is refused: the membership is governed", () => {
    const chain = new TestChain();
    const result = chain.block([
      chain.sign("alice", "Council.setMembers", { members: [pub("alice")], threshold: 1 }),
    ]);
    assert.equal(outcome(result), "Council.BadOrigin");
  });

  it("bounds the open proposals by councilMaxProposals", () => {
    const chain = new TestChain(
      devSpecWith((config) => {
        config.params = { ...config.params, councilMaxProposals: "2" };
      }),
    );
    assert.equal(outcome(propose(chain, "alice", setParam("baseFee", 1n))), "ok");
    assert.equal(outcome(propose(chain, "bob", setParam("baseFee", 2n))), "ok");
    assert.equal(
      outcome(propose(chain, "charlie", setParam("baseFee", 3n))),
      "Council.TooManyProposals",
    );
    assert.equal(outcome(vote(chain, "alice", "cancel", 0)), "ok");
    assert.equal(outcome(propose(chain, "charlie", setParam("baseFee", 3n))), "ok");
  });

  it("sudo still sets a parameter directly on dev", () => {
    const chain = new TestChain();
    const name: ParamName = "councilEnactmentDelay";
    const result = chain.block([chain.sign("alice", "Sudo.sudo", { call: setParam(name, 3n) })]);
    assert.deepEqual(result.events.find((e) => e.name === "Sudid")!.data, { ok: true, error: "" });
    assert.equal(param(chain.state, name), 3n);
    // The new delay applies to the next scheduling.
    const enactAt = scheduled(chain, setParam("baseFee", 9n));
    assert.equal(enactAt, chain.headNumber + 3);
  });

  it("a chain without a council has nobody who can propose", () => {
    const chain = new TestChain(
      devSpecWith((config) => {
        delete config.council;
      }),
    );
    assert.deepEqual(councilMembers(chain.state), []);
    assert.equal(councilThreshold(chain.state), 0);
    assert.equal(outcome(propose(chain, "alice", setParam("baseFee", 1n))), "Council.NotMember");
  });

  it("the invariants catch a scheduled proposal missing from the due queue", () => {
    const chain = new TestChain();
    scheduled(chain, setParam("baseFee", 1n));
    const overlay = new StateOverlay(chain.state);
    councilInvariants(overlay);
    const [entry] = [...councilStorage.due.entries(overlay)];
    councilStorage.due.remove(overlay, entry![0]);
    assert.throws(
      () => councilInvariants(overlay),
      (error: unknown) => error instanceof InvariantError && error.code === "COUNCIL_DUE",
    );
  });
});
