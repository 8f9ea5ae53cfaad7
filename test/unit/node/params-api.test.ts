// params_* and council_* answers over a real chain state: every parameter with its bounds, a
// pending parameter change with its proposed and current values, then the same proposal scheduled.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { paramsApi } from "../../../node/params-api.ts";
import { u128ToBytes } from "../../../primitives/amount.ts";
import { compareBytes } from "../../../primitives/bytes.ts";
import { ss58Encode } from "../../../primitives/ss58.ts";
import { PARAMS } from "../../../runtime/pallets/params.ts";
import { encodeCall } from "../../../runtime/signing.ts";
import { pub, TestChain } from "../runtime/fixtures/test-chain.ts";

const address = (name: Parameters<typeof pub>[0]) => ss58Encode(pub(name), 42);

describe("params API", () => {
  const chain = new TestChain();
  const api = paramsApi(() => chain.state, 42);

  it("lists every parameter in declaration order with value, default and bounds", () => {
    const list = api.list();
    assert.deepEqual(
      list.map((p) => p.name),
      Object.keys(PARAMS),
    );
    const delay = list.find((p) => p.name === "councilEnactmentDelay")!;
    assert.deepEqual(delay, {
      name: "councilEnactmentDelay",
      value: PARAMS.councilEnactmentDelay.default.toString(),
      default: PARAMS.councilEnactmentDelay.default.toString(),
      min: "1",
      max: PARAMS.councilEnactmentDelay.max.toString(),
      unit: "blocks",
      doc: PARAMS.councilEnactmentDelay.doc,
    });
  });

  it("shows the council, then a parameter change pending and scheduled", () => {
    assert.deepEqual(api.councilMembers(), {
      members: (["alice", "bob", "charlie"] as const)
        .map(pub)
        .sort(compareBytes)
        .map((who) => ss58Encode(who, 42)),
      threshold: 2,
    });
    const call = encodeCall("Params.setParam", { name: "baseFee", value: u128ToBytes(77n) });
    chain.block([chain.sign("alice", "Council.propose", { call })]);
    const [pending] = api.pending();
    assert.deepEqual(pending, {
      id: 0,
      call: "Params.setParam",
      name: "baseFee",
      newValue: "77",
      currentValue: PARAMS.baseFee.default.toString(),
      proposer: address("alice"),
      approvals: [address("alice")],
      cancelVotes: [],
      threshold: 2,
      status: "pending",
      enactAt: null,
      proposedAt: chain.headNumber,
    });
    chain.block([chain.sign("bob", "Council.approve", { id: 0 })]);
    const [scheduled] = api.pending();
    assert.equal(scheduled!.status, "scheduled");
    assert.equal(
      scheduled!.enactAt,
      chain.headNumber + Number(PARAMS.councilEnactmentDelay.default),
    );
    assert.equal(scheduled!.approvals.length, 2);
  });

  it("describes a proposal that is not a parameter change by its call", () => {
    const call = encodeCall("Council.setMembers", { members: [pub("dave")], threshold: 1 });
    chain.block([chain.sign("charlie", "Council.propose", { call })]);
    const other = api.pending().find((p) => p.call === "Council.setMembers")!;
    assert.deepEqual([other.name, other.newValue, other.currentValue], [null, null, null]);
  });
});
