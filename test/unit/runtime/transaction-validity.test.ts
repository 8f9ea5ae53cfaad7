import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { U128_MAX, UNIT, u128ToBytes } from "../../../primitives/amount.ts";
import { concatBytes, u64be, utf8 } from "../../../primitives/bytes.ts";
import { decodeExtrinsic, encodeExtrinsic } from "../../../primitives/chain.ts";
import { devKeypair } from "../../../primitives/dev-accounts.ts";
import { blake2b256 } from "../../../primitives/hash.ts";
import { keypairFromSeed, verify } from "../../../primitives/keys.ts";
import { param } from "../../../runtime/pallets/params.ts";
import { RUNTIME_VERSION } from "../../../runtime/runtime.ts";
import { encodeCall, inherent, signTransaction } from "../../../runtime/signing.ts";
import { checkTransaction, type ValidationEnv } from "../../../runtime/transaction.ts";
import { devSpecWith, pub, TestChain } from "./fixtures/test-chain.ts";

function envOf(chain: TestChain): ValidationEnv {
  return {
    blockNumber: chain.headNumber + 1,
    parentHash: chain.headHash,
    genesisHash: chain.genesisHash,
    version: RUNTIME_VERSION,
  };
}

/** Pool-style check (later nonces allowed) against the chain's head state. */
function poolCheck(chain: TestChain, bytes: Uint8Array) {
  return checkTransaction(chain.state, bytes, envOf(chain), {
    exactNonce: false,
    verifySignature: verify,
  });
}

/** Block-style check (exact nonce) inside the next block, as the author does. */
function blockCheck(chain: TestChain, bytes: Uint8Array) {
  return chain.open().execution.check(bytes, verify);
}

const aliceSeed = devKeypair("alice").secretKey;
const unfunded = keypairFromSeed(blake2b256(utf8("test/unfunded")));

describe("transaction validity", () => {
  it("accepts a well-formed transfer with its tags, immortal longevity and fee", () => {
    const chain = new TestChain();
    const checked = blockCheck(chain, chain.transfer("alice", pub("bob"), UNIT));
    assert.deepEqual(checked.signer, pub("alice"));
    assert.deepEqual(checked.provides, [concatBytes(pub("alice"), u64be(0))]);
    assert.deepEqual(checked.requires, []);
    assert.equal(checked.longevity, Number.MAX_SAFE_INTEGER);
    assert.equal(checked.weight > 0n, true);
    assert.equal(checked.fee.total, checked.fee.inclusionFee);
  });

  it("refuses a tampered signature, or a signature by another key, with TX_BAD_PROOF", () => {
    const chain = new TestChain();
    const good = decodeExtrinsic(chain.transfer("alice", pub("bob"), UNIT));
    const flipped = Uint8Array.from(good.signature);
    flipped[10]! ^= 1;
    assert.throws(() => blockCheck(chain, encodeExtrinsic({ ...good, signature: flipped })), {
      code: "TX_BAD_PROOF",
    });
    // Bob's signature over the same payload does not authorize a transfer from alice.
    const byBob = decodeExtrinsic(chain.transfer("bob", pub("bob"), UNIT));
    assert.throws(
      () => blockCheck(chain, encodeExtrinsic({ ...good, signature: byBob.signature })),
      { code: "TX_BAD_PROOF" },
    );
    // The signature covers the call: swapping the call invalidates it.
    const otherCall = decodeExtrinsic(chain.transfer("alice", pub("charlie"), UNIT)).call;
    assert.throws(() => blockCheck(chain, encodeExtrinsic({ ...good, call: otherCall })), {
      code: "TX_BAD_PROOF",
    });
  });

  it("skips the signature check only when told the signature is already verified", () => {
    const chain = new TestChain();
    const good = decodeExtrinsic(chain.transfer("alice", pub("bob"), UNIT));
    const bad = encodeExtrinsic({ ...good, signature: new Uint8Array(64) });
    assert.throws(() => blockCheck(chain, bad), { code: "TX_BAD_PROOF" });
    const open = chain.open();
    assert.equal(open.execution.check(bad, null).signer.length, 32);
  });

  it("refuses a nonce already used with TX_STALE", () => {
    const chain = new TestChain();
    const first = chain.transfer("alice", pub("bob"), UNIT);
    chain.block([first]);
    assert.equal(chain.nonceOf("alice"), 1);
    assert.throws(() => poolCheck(chain, first), { code: "TX_STALE" });
    assert.throws(() => blockCheck(chain, first), { code: "TX_STALE" });
  });

  it("a later nonce is TX_FUTURE in a block but waits in the pool on its predecessor's tag", () => {
    const chain = new TestChain();
    const later = chain.transfer("alice", pub("bob"), UNIT, { nonce: 3 });
    assert.throws(() => blockCheck(chain, later), { code: "TX_FUTURE" });
    const pooled = poolCheck(chain, later);
    assert.deepEqual(pooled.provides, [concatBytes(pub("alice"), u64be(3))]);
    assert.deepEqual(pooled.requires, [concatBytes(pub("alice"), u64be(2))]);
  });

  it("refuses a sender who cannot pay the fee with TX_PAYMENT", () => {
    const chain = new TestChain();
    const call = encodeCall("Balances.transfer", { dest: pub("bob"), value: u128ToBytes(1n) });
    const fromNobody = signTransaction({
      call,
      seed: unfunded.secretKey,
      nonce: 0,
      genesisHash: chain.genesisHash,
      era: null,
    });
    assert.throws(() => poolCheck(chain, fromNobody), { code: "TX_PAYMENT" });
  });

  it("refuses a tip that takes the fee beyond u128 with TX_PAYMENT", () => {
    const chain = new TestChain();
    const xt = chain.transfer("alice", pub("bob"), UNIT, { tip: U128_MAX });
    assert.throws(() => poolCheck(chain, xt), { code: "TX_PAYMENT" });
  });

  it("refuses a fee that would leave the sender below the existential deposit", () => {
    const probe = new TestChain();
    const ed = param(probe.state, "existentialDeposit");
    const fee = poolCheck(probe, probe.transfer("ferdie", pub("alice"), 1n)).fee.total;
    const withFerdie = (free: bigint) =>
      new TestChain(
        devSpecWith((config) => {
          config.balances.balances[5]![1] = free.toString();
        }),
      );
    const short = withFerdie(fee + ed - 1n);
    assert.throws(() => poolCheck(short, short.transfer("ferdie", pub("alice"), 1n)), {
      code: "TX_PAYMENT",
    });
    const enough = withFerdie(fee + ed);
    assert.equal(poolCheck(enough, enough.transfer("ferdie", pub("alice"), 1n)).fee.total, fee);
  });

  it("mortality: valid until birth + period, then TX_EXPIRED; longevity counts down", () => {
    const chain = new TestChain();
    chain.block();
    chain.block(); // head #2
    const era = { period: 4, birth: 1 };
    const mortal = chain.transfer("alice", pub("bob"), UNIT, { era });
    // Next block is #3: valid in #3 and #4 (3 < 1 + 4 and 4 < 5), expired from #5.
    assert.equal(poolCheck(chain, mortal).longevity, 2);
    chain.block();
    assert.equal(poolCheck(chain, mortal).longevity, 1);
    chain.block();
    assert.throws(() => poolCheck(chain, mortal), { code: "TX_EXPIRED" });
  });

  it("a mortal transaction is bound to its birth block's hash (no replay across forks)", () => {
    const chain = new TestChain();
    chain.block();
    chain.block();
    const era = { period: 8, birth: 1 };
    const good = chain.transfer("alice", pub("bob"), UNIT, { era });
    assert.equal(poolCheck(chain, good).longevity, 1 + 8 - 3);
    // Same transfer signed by alice over another block's hash than block #1's.
    const otherFork = signTransaction({
      call: decodeExtrinsic(good).call,
      seed: aliceSeed,
      nonce: 0,
      genesisHash: chain.genesisHash,
      era: { ...era, birthHash: chain.hashes[2]! },
    });
    assert.throws(() => poolCheck(chain, otherFork), { code: "TX_BAD_PROOF" });
  });

  it("refuses a birth block that is not yet known, and an era period that is not a power of two", () => {
    const chain = new TestChain();
    chain.block();
    const unborn = chain.transfer("alice", pub("bob"), UNIT, { era: { period: 8, birth: 2 } });
    assert.throws(() => poolCheck(chain, unborn), { code: "TX_ANCIENT_BIRTH" });
    const odd = chain.transfer("alice", pub("bob"), UNIT, { era: { period: 6, birth: 1 } });
    assert.throws(() => poolCheck(chain, odd), { code: "TX_BAD_FORMAT" });
    const tooLong = chain.transfer("alice", pub("bob"), UNIT, { era: { period: 8192, birth: 1 } });
    assert.throws(() => poolCheck(chain, tooLong), { code: "TX_BAD_FORMAT" });
  });

  it("refuses a transaction signed for another chain with TX_BAD_GENESIS", () => {
    const chain = new TestChain();
    const otherGenesis = blake2b256(utf8("another chain"));
    const foreign = chain.transfer("alice", pub("bob"), UNIT, { genesisHash: otherGenesis });
    assert.throws(() => poolCheck(chain, foreign), { code: "TX_BAD_GENESIS" });
    // A chain whose genesis hash shares the 4-byte tag is still caught by the signature.
    const sameTag = Uint8Array.from(otherGenesis);
    sameTag.set(chain.genesisHash.subarray(0, 4));
    const lookalike = chain.transfer("alice", pub("bob"), UNIT, { genesisHash: sameTag });
    assert.throws(() => poolCheck(chain, lookalike), { code: "TX_BAD_PROOF" });
  });

  it("refuses another spec version with TX_BAD_SPEC_VERSION and another transaction version by proof", () => {
    const chain = new TestChain();
    const newer = { ...RUNTIME_VERSION, specVersion: RUNTIME_VERSION.specVersion + 1 };
    const xt = chain.transfer("alice", pub("bob"), UNIT, { version: newer });
    assert.throws(() => poolCheck(chain, xt), { code: "TX_BAD_SPEC_VERSION" });
    const otherTxVersion = {
      ...RUNTIME_VERSION,
      transactionVersion: RUNTIME_VERSION.transactionVersion + 1,
    };
    const xt2 = chain.transfer("alice", pub("bob"), UNIT, { version: otherTxVersion });
    assert.throws(() => poolCheck(chain, xt2), { code: "TX_BAD_PROOF" });
  });

  it("refuses an unknown pallet or call index with TX_CALL, also nested in sudo", () => {
    const chain = new TestChain();
    const signWith = (call: { pallet: number; call: number; args: Uint8Array }) =>
      signTransaction({
        call,
        seed: aliceSeed,
        nonce: 0,
        genesisHash: chain.genesisHash,
        era: null,
      });
    const unknownCall = { pallet: 2, call: 200, args: new Uint8Array() };
    assert.throws(() => poolCheck(chain, signWith(unknownCall)), { code: "TX_CALL" });
    assert.throws(() => poolCheck(chain, signWith({ ...unknownCall, pallet: 99, call: 0 })), {
      code: "TX_CALL",
    });
    const sudoUnknown = encodeCall("Sudo.sudo", { call: unknownCall });
    assert.throws(() => poolCheck(chain, signWith(sudoUnknown)), { code: "TX_CALL" });
  });

  it("refuses undecodable bytes and undecodable call arguments with TX_BAD_FORMAT", () => {
    const chain = new TestChain();
    for (const bytes of [
      Uint8Array.of(0xff, 0xff, 0xff),
      new Uint8Array(),
      chain.transfer("alice", pub("bob"), UNIT).subarray(0, 40),
    ]) {
      assert.throws(() => poolCheck(chain, bytes), { code: "TX_BAD_FORMAT" });
    }
    const garbageArgs = signTransaction({
      call: { pallet: 2, call: 0, args: Uint8Array.of(0xff, 0x01) },
      seed: aliceSeed,
      nonce: 0,
      genesisHash: chain.genesisHash,
      era: null,
    });
    assert.throws(() => poolCheck(chain, garbageArgs), { code: "TX_BAD_FORMAT" });
  });

  it("refuses unsigned non-inherents (TX_UNSIGNED) and signed inherents (TX_BAD_MANDATORY)", () => {
    const chain = new TestChain();
    const unsignedTransfer = inherent(
      encodeCall("Balances.transfer", { dest: pub("bob"), value: u128ToBytes(UNIT) }),
    );
    assert.throws(() => poolCheck(chain, unsignedTransfer), { code: "TX_UNSIGNED" });
    const signedTimestamp = chain.sign("alice", "Timestamp.set", { now: 5 });
    assert.throws(() => poolCheck(chain, signedTimestamp), { code: "TX_BAD_MANDATORY" });
  });

  it("priority grows strictly with the tip; the tip is added on top of the inclusion fee", () => {
    const chain = new TestChain();
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n * UNIT }),
        fc.bigInt({ min: 1n, max: 10n * UNIT }),
        (tip, extra) => {
          const low = poolCheck(chain, chain.transfer("alice", pub("bob"), UNIT, { tip }));
          const high = poolCheck(
            chain,
            chain.transfer("alice", pub("bob"), UNIT, { tip: tip + extra }),
          );
          assert.ok(high.priority > low.priority);
          assert.equal(low.fee.total, low.fee.inclusionFee + tip);
          // Only the length part of the inclusion fee may differ (a larger tip is more bytes).
          assert.equal(
            high.fee.inclusionFee - high.fee.lenFee,
            low.fee.inclusionFee - low.fee.lenFee,
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});
