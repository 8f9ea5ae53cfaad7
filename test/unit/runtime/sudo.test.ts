import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNIT, u128FromBytes, u128ToBytes } from "../../../primitives/amount.ts";
import { freeBalance, totalIssuance } from "../../../runtime/pallets/balances.ts";
import { param } from "../../../runtime/pallets/params.ts";
import { storage as sudoStorage } from "../../../runtime/pallets/sudo.ts";
import { encodeCall } from "../../../runtime/signing.ts";
import { devSpecWith, pub, TestChain } from "./fixtures/test-chain.ts";

const forceSet = (who: Uint8Array, free: bigint) =>
  encodeCall("Balances.forceSetBalance", { who, free: u128ToBytes(free) });
const setParam = (name: string, value: bigint) =>
  encodeCall("Params.setParam", { name, value: u128ToBytes(value) });

describe("sudo", () => {
  it("the genesis sudo key dispatches a root call: forceSetBalance mints and reports Sudid ok", () => {
    const chain = new TestChain();
    assert.deepEqual(sudoStorage.key.get(chain.state), pub("alice"));
    const issuance = totalIssuance(chain.state);
    const before = freeBalance(chain.state, pub("dave"));
    const { outcomes, events } = chain.block([
      chain.sign("alice", "Sudo.sudo", { call: forceSet(pub("dave"), before + 42n * UNIT) }),
    ]);
    assert.equal(outcomes[0]!.success, true);
    assert.equal(freeBalance(chain.state, pub("dave")), before + 42n * UNIT);
    const burned = events.find((e) => e.name === "TransactionFeePaid")!.data.burned as Uint8Array;
    assert.equal(totalIssuance(chain.state), issuance + 42n * UNIT - u128FromBytes(burned));
    const sudid = events.find((e) => e.name === "Sudid")!;
    assert.deepEqual(sudid.data, { ok: true, error: "" });
    assert.ok(events.some((e) => e.name === "BalanceSet"));
  });

  it("refuses every other signer with Sudo.RequireSudo; the root call never runs", () => {
    const chain = new TestChain();
    const before = freeBalance(chain.state, pub("dave"));
    const { outcomes, events } = chain.block([
      chain.sign("bob", "Sudo.sudo", { call: forceSet(pub("dave"), 1n) }),
    ]);
    assert.equal(outcomes[0]!.success === false && outcomes[0]!.error, "Sudo.RequireSudo");
    assert.equal(freeBalance(chain.state, pub("dave")), before);
    assert.equal(events.filter((e) => e.pallet === "Sudo").length, 0);
  });

  it("a root-only call signed directly fails with BadOrigin, even by the sudo key", () => {
    const chain = new TestChain();
    const { outcomes } = chain.block([
      chain.sign("alice", "Balances.forceSetBalance", { who: pub("dave"), free: u128ToBytes(1n) }),
      chain.sign(
        "alice",
        "Params.setParam",
        { name: "baseFee", value: u128ToBytes(1n) },
        { nonce: 1 },
      ),
    ]);
    assert.deepEqual(
      outcomes.map((o) => (o.success ? "ok" : o.error)),
      ["Balances.BadOrigin", "Params.BadOrigin"],
    );
  });

  it("an inner call's failure is reported in Sudid and its writes rolled back; sudo itself succeeds", () => {
    const chain = new TestChain();
    const { outcomes, events } = chain.block([
      chain.sign("alice", "Sudo.sudo", { call: setParam("feeBurnPpm", 2_000_000n) }),
      chain.sign(
        "alice",
        "Sudo.sudo",
        { call: encodeCall("Sudo.setKey", { newKey: pub("bob") }) },
        { nonce: 1 },
      ),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.success),
      [true, true],
    );
    const sudid = events.filter((e) => e.name === "Sudid").map((e) => e.data);
    // setKey needs a signed origin; as root it is refused.
    assert.deepEqual(sudid, [
      { ok: false, error: "Params.OutOfBounds" },
      { ok: false, error: "Sudo.BadOrigin" },
    ]);
    assert.equal(param(chain.state, "feeBurnPpm"), 200_000n);
    assert.deepEqual(sudoStorage.key.get(chain.state), pub("alice"));
  });

  it("setKey hands the key over: the old key loses it, the new one holds it", () => {
    const chain = new TestChain();
    const handOver = chain.block([chain.sign("alice", "Sudo.setKey", { newKey: pub("bob") })]);
    assert.equal(handOver.outcomes[0]!.success, true);
    assert.ok(handOver.events.some((e) => e.name === "KeyChanged"));
    assert.deepEqual(sudoStorage.key.get(chain.state), pub("bob"));
    const { outcomes } = chain.block([
      chain.sign("alice", "Sudo.sudo", { call: setParam("baseFee", 1n) }),
      chain.sign("bob", "Sudo.sudo", { call: setParam("baseFee", 2n) }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => (o.success ? "ok" : o.error)),
      ["Sudo.RequireSudo", "ok"],
    );
    assert.equal(param(chain.state, "baseFee"), 2n);
    const bad = chain.block([chain.sign("bob", "Sudo.setKey", { newKey: new Uint8Array(31) })]);
    assert.equal(bad.outcomes[0]!.success === false && bad.outcomes[0]!.error, "Sudo.InvalidKey");
  });

  it("a chain without a sudo key has nobody who can use it", () => {
    const chain = new TestChain(
      devSpecWith((config) => {
        config.sudo = { key: null };
      }),
    );
    assert.equal(sudoStorage.key.get(chain.state).length, 0);
    const { outcomes } = chain.block([
      chain.sign("alice", "Sudo.sudo", { call: setParam("baseFee", 1n) }),
    ]);
    assert.equal(outcomes[0]!.success === false && outcomes[0]!.error, "Sudo.RequireSudo");
  });
});
