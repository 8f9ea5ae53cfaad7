import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNIT, u128FromBytes } from "../../../primitives/amount.ts";
import { toHex } from "../../../primitives/bytes.ts";
import { ENGINE_AURA } from "../../../primitives/chain.ts";
import { verify } from "../../../primitives/keys.ts";
import { builtinChainSpec } from "../../../runtime/chain-spec.ts";
import { BlockExecution, encodeSlot } from "../../../runtime/executive.ts";
import { emit, fail } from "../../../runtime/pallet.ts";
import { authorities, storage as authorityStorage } from "../../../runtime/pallets/authorities.ts";
import { freeBalance, totalIssuance } from "../../../runtime/pallets/balances.ts";
import { params } from "../../../runtime/pallets/params.ts";
import {
  readAccount,
  storage as systemStorage,
  writeAccount,
} from "../../../runtime/pallets/system.ts";
import { storage as timestampStorage } from "../../../runtime/pallets/timestamp.ts";
import { encodeCall, inherent } from "../../../runtime/signing.ts";
import { itemPrefix } from "../../../runtime/storage.ts";
import { StateOverlay } from "../../../state/overlay.ts";
import { devSpecWith, pub, TestChain } from "./fixtures/test-chain.ts";

/** An initialized-to-be block on the chain's head with the given slot digest (null: none). */
function executionAt(chain: TestChain, slot: number | null) {
  const overlay = new StateOverlay(chain.state);
  const number = chain.headNumber + 1;
  const execution = new BlockExecution(
    overlay,
    {
      number,
      parentHash: chain.headHash,
      digest:
        slot === null ? [] : [{ preRuntime: { engine: ENGINE_AURA, data: encodeSlot(slot) } }],
    },
    { genesisHash: chain.genesisHash },
  );
  return { overlay, execution, number, slot: slot ?? 0 };
}

const timestampAt = (ms: number) => inherent(encodeCall("Timestamp.set", { now: ms }));

describe("executive: block phases", () => {
  it("initialize → timestamp → extrinsics → finalize writes the block's bookkeeping", () => {
    const chain = new TestChain();
    const slot = chain.nextSlot;
    const open = chain.open(slot);
    const s = open.overlay;
    assert.equal(systemStorage.number.get(s), 1);
    assert.deepEqual(systemStorage.parentHash.get(s), chain.genesisHash);
    assert.deepEqual(systemStorage.blockHash.get(s, 0), chain.genesisHash);
    assert.equal(authorityStorage.currentSlot.get(s), slot);
    assert.deepEqual(open.execution.author, pub("alice"));
    assert.equal(timestampStorage.now.get(s), slot * chain.slotDuration);
    const xt = chain.transfer("bob", pub("charlie"), UNIT);
    open.execution.applyExtrinsic(xt, verify);
    const { events } = chain.seal(open);
    assert.equal(systemStorage.blockWeight.get(chain.state), Number(open.execution.weight));
    assert.equal(open.execution.weight, 10_000_000n + 120_000_000n);
    assert.equal(systemStorage.blockLength.get(chain.state), open.execution.length);
    assert.ok(open.execution.length > xt.length);
    // The didUpdate flag does not leak into the next block.
    assert.equal(timestampStorage.didUpdate.get(chain.state), 0);
    assert.deepEqual(
      events.map((e) => [e.extrinsicIndex, `${e.pallet}.${e.name}`]),
      [
        [0, "System.ExtrinsicSuccess"],
        [1, "TransactionPayment.TransactionFeePaid"],
        [1, "Balances.Transfer"],
        [1, "System.ExtrinsicSuccess"],
      ],
    );
  });

  it("keeps the parent hashes mortal transactions need, by number", () => {
    const chain = new TestChain();
    for (let i = 0; i < 3; i++) chain.block();
    for (let n = 0; n < 3; n++) {
      assert.equal(toHex(systemStorage.blockHash.get(chain.state, n)!), toHex(chain.hashes[n]!));
    }
    assert.equal(systemStorage.number.get(chain.state), 3);
  });

  it("is deterministic: the same block on the same parent gives the same state root", () => {
    const chain = new TestChain();
    const xts = [
      chain.transfer("bob", pub("charlie"), UNIT),
      chain.transfer("charlie", pub("dave"), 2n * UNIT),
    ];
    const roots = [0, 1].map(() => {
      const open = chain.open();
      for (const xt of xts) open.execution.applyExtrinsic(xt, verify);
      open.execution.finalize();
      return toHex(open.overlay.storageRoot());
    });
    assert.equal(roots[0], roots[1]);
  });

  it("the first extrinsic must be the timestamp inherent, and only the first", () => {
    const chain = new TestChain();
    const { execution } = executionAt(chain, chain.nextSlot);
    execution.initialize();
    assert.throws(
      () => execution.applyExtrinsic(chain.transfer("bob", pub("charlie"), UNIT), verify),
      {
        code: "TX_BAD_MANDATORY",
      },
    );
    execution.applyExtrinsic(chain.timestampInherent(chain.nextSlot), null);
    assert.throws(() => execution.applyExtrinsic(chain.timestampInherent(chain.nextSlot), null), {
      code: "TX_BAD_MANDATORY",
    });
    const unsignedTransfer = inherent(
      encodeCall("Balances.transfer", { dest: pub("bob"), value: new Uint8Array([1]) }),
    );
    assert.throws(() => execution.applyExtrinsic(unsignedTransfer, null), { code: "TX_UNSIGNED" });
  });

  it("a block without the timestamp cannot be finalized", () => {
    const chain = new TestChain();
    const { execution } = executionAt(chain, chain.nextSlot);
    execution.initialize();
    assert.throws(() => execution.finalize(), { code: "Timestamp.NotSet" });
  });

  it("refuses a timestamp outside the block's slot or too soon after the last", () => {
    const chain = new TestChain();
    const slot = chain.nextSlot;
    const block = executionAt(chain, slot);
    block.execution.initialize();
    assert.throws(
      () => block.execution.applyExtrinsic(timestampAt((slot + 1) * chain.slotDuration), null),
      {
        code: "TX_BAD_MANDATORY",
        message: /SlotMismatch/,
      },
    );
    // The failed inherent left nothing behind: one at the very end of the slot is accepted.
    const late = slot * chain.slotDuration + chain.slotDuration - 1;
    block.execution.applyExtrinsic(timestampAt(late), null);
    chain.seal(block);
    // The next slot starts 1 ms later: less than half a slot.
    const next = executionAt(chain, slot + 1);
    next.execution.initialize();
    assert.throws(
      () => next.execution.applyExtrinsic(timestampAt((slot + 1) * chain.slotDuration), null),
      {
        code: "TX_BAD_MANDATORY",
        message: /TooEarly/,
      },
    );
    next.execution.applyExtrinsic(timestampAt(late + chain.slotDuration / 2), null);
  });

  it("the slot must increase and must be present", () => {
    const chain = new TestChain();
    const { slot } = chain.open();
    chain.block();
    const same = executionAt(chain, chain.nextSlot - 1).execution;
    assert.throws(() => same.initialize(), { code: "SLOT_NOT_INCREASING" });
    const older = executionAt(chain, slot - 5).execution;
    assert.throws(() => older.initialize(), { code: "SLOT_NOT_INCREASING" });
    const missing = executionAt(chain, null).execution;
    assert.throws(() => missing.initialize(), { code: "MISSING_SLOT" });
  });

  it("nothing can be applied after finalize", () => {
    const chain = new TestChain();
    const open = chain.open();
    open.execution.finalize();
    assert.throws(
      () => open.execution.applyExtrinsic(chain.transfer("bob", pub("charlie"), UNIT), verify),
      {
        code: "FINALIZED",
      },
    );
  });
});

describe("executive: block limits", () => {
  it("stops at the block weight limit with TX_EXHAUSTS_RESOURCES and writes nothing for it", () => {
    const chain = new TestChain(
      devSpecWith((config) => {
        config.params = { maxBlockWeight: "1000000000" };
      }),
    );
    const open = chain.open();
    // 10M for the inherent + 8 × 120M = 970M fit in 1G; the ninth does not.
    for (let i = 0; i < 8; i++) {
      const outcome = open.execution.applyExtrinsic(
        chain.transfer("bob", pub("charlie"), UNIT, { nonce: i }),
        verify,
      );
      assert.equal(outcome.success, true);
    }
    const ninth = chain.transfer("bob", pub("charlie"), UNIT, { nonce: 8 });
    const before = open.overlay.get(systemStorage.account.key(pub("bob")));
    assert.throws(() => open.execution.applyExtrinsic(ninth, verify), {
      code: "TX_EXHAUSTS_RESOURCES",
    });
    assert.deepEqual(open.overlay.get(systemStorage.account.key(pub("bob"))), before);
    assert.equal(open.execution.weight, 970_000_000n);
    chain.seal(open);
    assert.equal(chain.nonceOf("bob"), 8);
    // The next block takes it.
    assert.equal(chain.block([ninth]).outcomes[0]!.success, true);
  });

  it("stops at the block length limit, and refuses a transaction longer than a block", () => {
    const chain = new TestChain(
      devSpecWith((config) => {
        config.params = { maxBlockLength: String(64 * 1024) };
      }),
    );
    // A transfer to a 20 KB "account" is included (and fails in the call): it is about length.
    const big = (nonce: number, size = 20_000) =>
      chain.transfer("bob", new Uint8Array(size), UNIT, { nonce });
    const open = chain.open();
    for (let i = 0; i < 3; i++) {
      const outcome = open.execution.applyExtrinsic(big(i), verify);
      assert.equal(outcome.success === false && outcome.error, "Balances.InvalidAccount");
    }
    assert.throws(() => open.execution.applyExtrinsic(big(3), verify), {
      code: "TX_EXHAUSTS_RESOURCES",
    });
    assert.ok(open.execution.length <= 64 * 1024);
    assert.throws(() => open.execution.check(big(3, 70_000), verify), {
      code: "TX_EXHAUSTS_RESOURCES",
    });
  });
});

describe("executive: authorities", () => {
  it("the author of a slot is authorities[slot mod n] and takes the author's share", () => {
    const chain = new TestChain(builtinChainSpec("local")!);
    const set = authorities(chain.state);
    assert.equal(set.length, 4);
    for (let i = 0; i < 4; i++) {
      const open = chain.open();
      assert.deepEqual(open.execution.author, set[open.slot % 4]);
      chain.seal(open);
    }
  });

  it("a new set queued by governance takes effect at the next epoch boundary", () => {
    const chain = new TestChain(
      devSpecWith((config) => {
        config.params = { epochLength: "3" };
      }),
    );
    const next = [pub("bob"), pub("charlie")];
    const queued = chain.block([
      chain.sign("alice", "Sudo.sudo", {
        call: encodeCall("Authorities.setAuthorities", { authorities: next }),
      }),
    ]); // block 1
    assert.ok(queued.events.some((e) => e.name === "AuthoritiesQueued"));
    assert.deepEqual(authorities(chain.state), [pub("alice")]);
    chain.block(); // 2
    assert.deepEqual(authorities(chain.state), [pub("alice")]);
    const boundary = chain.block(); // 3: epoch boundary
    assert.deepEqual(authorities(chain.state), next);
    assert.ok(boundary.events.some((e) => e.name === "NewAuthorities" && e.finalization));
  });
});

describe("executive: per-extrinsic rollback", () => {
  // No shipped call writes and then fails, so one is staged: Params.setParam's handler is swapped
  // for one that writes storage, emits an event and then fails (restored after each test).
  const setParamDef = params.calls.find((c) => c.name === "setParam")!;
  const marker = itemPrefix("Test", "Marker");

  function withFailingAfterWrite(body: () => void): void {
    const original = setParamDef.handler;
    setParamDef.handler = (ctx) => {
      ctx.storage.set(marker, Uint8Array.of(1));
      const bob = readAccount(ctx.storage, pub("bob"));
      writeAccount(ctx.storage, pub("bob"), { ...bob, free: bob.free + UNIT });
      emit(ctx, params, "ParamChanged", {
        name: "x",
        oldValue: new Uint8Array(),
        newValue: new Uint8Array(),
      });
      throw fail(params, "OutOfBounds", "staged failure");
    };
    try {
      body();
    } finally {
      setParamDef.handler = original;
    }
  }

  const anyParam = { name: "baseFee", value: Uint8Array.of(1) };

  it("a failing call's writes and events are rolled back; the fee and nonce stay", () => {
    withFailingAfterWrite(() => {
      const chain = new TestChain();
      const issuance = totalIssuance(chain.state);
      const bob = freeBalance(chain.state, pub("bob"));
      const { outcomes, events } = chain.block([chain.sign("bob", "Params.setParam", anyParam)]);
      assert.equal(outcomes[0]!.success === false && outcomes[0]!.error, "Params.OutOfBounds");
      assert.equal(chain.state.get(marker), undefined);
      const paid = events.find((e) => e.name === "TransactionFeePaid")!;
      const fee = u128FromBytes(paid.data.fee as Uint8Array);
      assert.equal(freeBalance(chain.state, pub("bob")), bob - fee);
      assert.equal(chain.nonceOf("bob"), 1);
      assert.equal(
        totalIssuance(chain.state),
        issuance - u128FromBytes(paid.data.burned as Uint8Array),
      );
      assert.deepEqual(
        events.filter((e) => e.extrinsicIndex === 1).map((e) => e.name),
        ["TransactionFeePaid", "ExtrinsicFailed"],
      );
    });
  });

  it("sudo rolls back only the inner call: Sudid reports it, sudo's own effects stay", () => {
    withFailingAfterWrite(() => {
      const chain = new TestChain();
      const bob = freeBalance(chain.state, pub("bob"));
      const { outcomes, events } = chain.block([
        chain.sign("alice", "Sudo.sudo", { call: encodeCall("Params.setParam", anyParam) }),
      ]);
      assert.equal(outcomes[0]!.success, true);
      assert.equal(chain.state.get(marker), undefined);
      assert.equal(freeBalance(chain.state, pub("bob")), bob);
      assert.deepEqual(
        events.filter((e) => e.extrinsicIndex === 1).map((e) => e.name),
        ["TransactionFeePaid", "Sudid", "ExtrinsicSuccess"],
      );
      assert.deepEqual(events.find((e) => e.name === "Sudid")!.data, {
        ok: false,
        error: "Params.OutOfBounds",
      });
    });
  });
});
