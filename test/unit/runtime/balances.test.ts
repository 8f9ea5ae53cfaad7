import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNIT, u128FromBytes, u128ToBytes } from "../../../primitives/amount.ts";
import { utf8 } from "../../../primitives/bytes.ts";
import { blake2b256 } from "../../../primitives/hash.ts";
import { checkInvariants } from "../../../runtime/executive.ts";
import {
  depositOrBurn,
  freeBalance,
  reserve,
  reservedBalance,
  totalIssuance,
  transfer,
  unreserve,
  withdraw,
} from "../../../runtime/pallets/balances.ts";
import { param } from "../../../runtime/pallets/params.ts";
import { accountExists, readAccount } from "../../../runtime/pallets/system.ts";
import { StateOverlay } from "../../../state/overlay.ts";
import {
  contextOver,
  type DecodedEvent,
  devSpecWith,
  pub,
  TestChain,
} from "./fixtures/test-chain.ts";

const stranger = blake2b256(utf8("test/stranger"));

function feePaid(events: DecodedEvent[], index: number): bigint {
  const paid = events.find((e) => e.name === "TransactionFeePaid" && e.extrinsicIndex === index);
  assert.ok(paid, `no fee event for extrinsic ${index}`);
  return u128FromBytes(paid.data.fee as Uint8Array);
}

function eventNames(events: DecodedEvent[], index: number): string[] {
  return events
    .filter((e) => e.extrinsicIndex === index && !e.finalization)
    .map((e) => `${e.pallet}.${e.name}`);
}

/** A chain where ferdie holds exactly `free`. */
function chainWithFerdie(free: bigint): TestChain {
  return new TestChain(
    devSpecWith((config) => {
      config.balances.balances[5]![1] = free.toString();
    }),
  );
}

describe("balances", () => {
  it("transfer moves the value, charges the fee and emits Transfer", () => {
    const chain = new TestChain();
    const before = {
      bob: freeBalance(chain.state, pub("bob")),
      charlie: freeBalance(chain.state, pub("charlie")),
    };
    const { outcomes, events } = chain.block([chain.transfer("bob", pub("charlie"), 7n * UNIT)]);
    assert.deepEqual(outcomes[0], { included: true, success: true, weight: outcomes[0]!.weight });
    const fee = feePaid(events, 1);
    assert.equal(freeBalance(chain.state, pub("bob")), before.bob - 7n * UNIT - fee);
    assert.equal(freeBalance(chain.state, pub("charlie")), before.charlie + 7n * UNIT);
    assert.equal(readAccount(chain.state, pub("bob")).nonce, 1);
    const transferEvent = events.find((e) => e.name === "Transfer")!;
    assert.deepEqual(transferEvent.data.from, pub("bob"));
    assert.deepEqual(transferEvent.data.to, pub("charlie"));
    assert.equal(u128FromBytes(transferEvent.data.amount as Uint8Array), 7n * UNIT);
    assert.deepEqual(eventNames(events, 1), [
      "TransactionPayment.TransactionFeePaid",
      "Balances.Transfer",
      "System.ExtrinsicSuccess",
    ]);
  });

  it("a transfer to a new account of at least the existential deposit creates it", () => {
    const chain = new TestChain();
    const ed = param(chain.state, "existentialDeposit");
    const { outcomes, events } = chain.block([chain.transfer("bob", stranger, ed)]);
    assert.equal(outcomes[0]!.success, true);
    assert.equal(freeBalance(chain.state, stranger), ed);
    assert.deepEqual(eventNames(events, 1), [
      "TransactionPayment.TransactionFeePaid",
      "System.NewAccount",
      "Balances.Endowed",
      "Balances.Transfer",
      "System.ExtrinsicSuccess",
    ]);
  });

  it("refuses to create a dust account: the fee is paid, nothing else happens", () => {
    const chain = new TestChain();
    const ed = param(chain.state, "existentialDeposit");
    const bobBefore = freeBalance(chain.state, pub("bob"));
    const { outcomes, events } = chain.block([chain.transfer("bob", stranger, ed - 1n)]);
    assert.equal(outcomes[0]!.success, false);
    assert.equal(
      outcomes[0]!.success === false && outcomes[0]!.error,
      "Balances.ExistentialDeposit",
    );
    assert.equal(accountExists(chain.state, stranger), false);
    assert.equal(freeBalance(chain.state, pub("bob")), bobBefore - feePaid(events, 1));
    assert.deepEqual(eventNames(events, 1), [
      "TransactionPayment.TransactionFeePaid",
      "System.ExtrinsicFailed",
    ]);
  });

  it("refuses to send more than the free balance", () => {
    const chain = chainWithFerdie(5n * UNIT);
    const { outcomes } = chain.block([chain.transfer("ferdie", pub("bob"), 5n * UNIT)]);
    assert.equal(
      outcomes[0]!.success === false && outcomes[0]!.error,
      "Balances.InsufficientBalance",
    );
    assert.equal(readAccount(chain.state, pub("ferdie")).nonce, 1);
  });

  it("transfer may reap the sender: the dust below the existential deposit is burned", () => {
    const chain = chainWithFerdie(5n * UNIT);
    const issuance = totalIssuance(chain.state);
    const probe = chain
      .open()
      .execution.check(chain.transfer("ferdie", pub("bob"), 4n * UNIT), null);
    const dust = 3n;
    const amount = 5n * UNIT - probe.fee.total - dust;
    const { outcomes, events } = chain.block([chain.transfer("ferdie", pub("bob"), amount)]);
    assert.equal(outcomes[0]!.success, true);
    assert.equal(accountExists(chain.state, pub("ferdie")), false);
    assert.deepEqual(readAccount(chain.state, pub("ferdie")), { nonce: 0, free: 0n, reserved: 0n });
    const lost = events.find((e) => e.name === "DustLost")!;
    assert.equal(u128FromBytes(lost.data.amount as Uint8Array), dust);
    assert.ok(events.some((e) => e.name === "KilledAccount"));
    const fee = feePaid(events, 1);
    const paid = events.find((e) => e.name === "TransactionFeePaid")!;
    const burnedByFee = u128FromBytes(paid.data.burned as Uint8Array);
    assert.equal(fee, probe.fee.total);
    assert.equal(totalIssuance(chain.state), issuance - dust - burnedByFee);
  });

  it("transferKeepAlive refuses to reap the sender, and rolls back", () => {
    const chain = chainWithFerdie(5n * UNIT);
    const ed = param(chain.state, "existentialDeposit");
    const bobBefore = freeBalance(chain.state, pub("bob"));
    const call = (value: bigint) =>
      chain.sign("ferdie", "Balances.transferKeepAlive", {
        dest: pub("bob"),
        value: u128ToBytes(value),
      });
    const probe = chain.open().execution.check(call(4n * UNIT), null);
    const justBelow = 5n * UNIT - probe.fee.total - ed + 1n;
    const { outcomes, events } = chain.block([call(justBelow)]);
    assert.equal(outcomes[0]!.success === false && outcomes[0]!.error, "Balances.KeepAlive");
    assert.equal(freeBalance(chain.state, pub("bob")), bobBefore);
    assert.equal(freeBalance(chain.state, pub("ferdie")), 5n * UNIT - feePaid(events, 1));
    // Leaving exactly the existential deposit is fine.
    const left = freeBalance(chain.state, pub("ferdie"));
    const probe2 = chain.open().execution.check(call(justBelow), null);
    const exact = left - probe2.fee.total - ed;
    const second = chain.block([call(exact)]);
    assert.equal(second.outcomes[0]!.success, true);
    assert.equal(freeBalance(chain.state, pub("ferdie")), ed);
  });

  it("a transfer to oneself or of zero changes nothing but the fee", () => {
    const chain = new TestChain();
    const before = freeBalance(chain.state, pub("bob"));
    const { outcomes, events } = chain.block([
      chain.transfer("bob", pub("bob"), 10n * UNIT),
      chain.transfer("bob", pub("charlie"), 0n, { nonce: 1 }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.success),
      [true, true],
    );
    assert.equal(
      freeBalance(chain.state, pub("bob")),
      before - feePaid(events, 1) - feePaid(events, 2),
    );
    assert.equal(events.filter((e) => e.name === "Transfer").length, 0);
  });

  it("refuses a destination that is not a 32-byte account", () => {
    const chain = new TestChain();
    const { outcomes } = chain.block([chain.transfer("bob", new Uint8Array(20), UNIT)]);
    assert.equal(outcomes[0]!.success === false && outcomes[0]!.error, "Balances.InvalidAccount");
  });

  it("reserve and unreserve move funds between free and reserved, keeping issuance", () => {
    const chain = new TestChain();
    const overlay = new StateOverlay(chain.state);
    const events: string[] = [];
    const ctx = contextOver(overlay, events);
    const bob = pub("bob");
    const free = freeBalance(overlay, bob);
    reserve(ctx, bob, 100n * UNIT);
    assert.equal(freeBalance(overlay, bob), free - 100n * UNIT);
    assert.equal(reservedBalance(overlay, bob), 100n * UNIT);
    assert.throws(() => reserve(ctx, bob, free), { code: "Balances.InsufficientBalance" });
    assert.throws(() => unreserve(ctx, bob, 100n * UNIT + 1n), {
      code: "Balances.InsufficientReserve",
    });
    unreserve(ctx, bob, 40n * UNIT);
    assert.equal(reservedBalance(overlay, bob), 60n * UNIT);
    assert.equal(freeBalance(overlay, bob), free - 60n * UNIT);
    checkInvariants(overlay);
    // Balances pallet index 2: Reserved is event 3, Unreserved 4.
    assert.deepEqual(events, ["2.3", "2.4"]);
  });

  it("an account with reserves is not reaped when its free balance falls below the deposit", () => {
    const chain = new TestChain();
    const overlay = new StateOverlay(chain.state);
    const ctx = contextOver(overlay);
    const bob = pub("bob");
    reserve(ctx, bob, UNIT);
    const free = freeBalance(overlay, bob);
    transfer(ctx, bob, pub("charlie"), free - 1n, "keepAlive");
    assert.deepEqual(readAccount(overlay, bob), { nonce: 0, free: 1n, reserved: UNIT });
    withdraw(ctx, bob, 1n);
    assert.equal(accountExists(overlay, bob), true);
    assert.throws(() => withdraw(ctx, pub("charlie"), freeBalance(overlay, pub("charlie"))), {
      code: "Balances.InsufficientBalance",
    });
  });

  it("depositOrBurn burns an amount too small to create an account", () => {
    const chain = new TestChain();
    const overlay = new StateOverlay(chain.state);
    const ctx = contextOver(overlay);
    const ed = param(overlay, "existentialDeposit");
    const issuance = totalIssuance(overlay);
    withdraw(ctx, pub("bob"), ed - 1n);
    depositOrBurn(ctx, stranger, ed - 1n);
    assert.equal(accountExists(overlay, stranger), false);
    assert.equal(totalIssuance(overlay), issuance - (ed - 1n));
    checkInvariants(overlay);
  });
});
