import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { verifySeal } from "../../../consensus/aura.ts";
import { describeInvalid } from "../../../consensus/block-builder.ts";
import {
  decodeExtrinsic,
  encodeExtrinsic,
  extrinsicHash,
  headerHash,
} from "../../../primitives/chain.ts";
import { keypairFromSuri } from "../../../primitives/dev-accounts.ts";
import { param } from "../../../runtime/pallets/params.ts";
import { storage as systemStorage } from "../../../runtime/pallets/system.ts";
import {
  accountAt,
  accountOf,
  build,
  checkStoredInvariants,
  customSpec,
  extraAccounts,
  openChain,
  refOf,
  type TestChain,
  transfer,
} from "./fixtures/dev-chain.ts";

const chains: TestChain[] = [];
async function open(options: Parameters<typeof openChain>[0] = {}): Promise<TestChain> {
  const chain = await openChain(options);
  chains.push(chain);
  return chain;
}
after(async () => {
  for (const chain of chains) await chain.close();
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("buildBlock", () => {
  it("puts the timestamp inherent first, includes valid transactions in order, and seals", async () => {
    const chain = await open();
    const txs = [
      transfer(chain, "alice", accountOf("bob"), { nonce: 0 }),
      transfer(chain, "bob", accountOf("charlie"), { nonce: 0 }),
      transfer(chain, "alice", accountOf("dave"), { nonce: 1 }),
    ];
    const built = build(chain, chain.genesis, 3, { transactions: txs });
    assert.equal(built.endReason, "noMoreTransactions");
    assert.deepEqual(built.invalid, []);
    assert.deepEqual(built.included.map(hex), txs.map(extrinsicHash).map(hex));
    assert.deepEqual(built.block.extrinsics.slice(1), txs);
    assert.equal(built.block.extrinsics.length, 4);
    assert.equal(built.block.header.number, 1);
    assert.deepEqual(built.block.header.parentHash, chain.genesisHash);
    assert.deepEqual(built.update.root, built.block.header.stateRoot);
    verifySeal(built.block.header, accountOf("alice"));

    // Another node executing the block from scratch reaches the same state root.
    const imported = await chain.importer.importBlock(built.block);
    assert.equal(chain.invariantChecks.count, 1);
    assert.equal(accountAt(chain, imported.hash, accountOf("alice")).nonce, 2);
  });

  it("reports invalid transactions for the pool and leaves them out; the block stays valid", async () => {
    const chain = await open();
    const good = transfer(chain, "alice", accountOf("bob"), { nonce: 0 });
    const tamperedSig = withFlippedSignature(
      transfer(chain, "bob", accountOf("eve"), { nonce: 0 }),
    );
    const otherChain = Uint8Array.from(chain.genesisHash);
    otherChain[0]! ^= 1;
    const cases = {
      stale: transfer(chain, "alice", accountOf("bob"), { nonce: 0 }), // after `good`, nonce 0 is used
      badProof: tamperedSig,
      wrongChain: transfer(chain, "charlie", accountOf("bob"), {
        nonce: 0,
        genesisHash: otherChain,
      }),
      unfunded: transfer(chain, keypairFromSuri("//Nobody"), accountOf("bob"), { nonce: 0 }),
      garbage: Uint8Array.of(9, 9, 9),
    };
    const future = transfer(chain, "dave", accountOf("bob"), { nonce: 3 });
    const built = build(chain, chain.genesis, 1, {
      transactions: [good, ...Object.values(cases), future],
    });
    assert.deepEqual(built.included.map(hex), [hex(extrinsicHash(good))]);
    const codes = new Map(built.invalid.map((i) => [hex(i.hash), i.error.split(":")[0]]));
    const reported = Object.entries(cases).map(([name, tx]) => [
      name,
      codes.get(hex(extrinsicHash(tx))),
    ]);
    assert.deepEqual(Object.fromEntries(reported), {
      stale: "TX_STALE",
      badProof: "TX_BAD_PROOF",
      wrongChain: "TX_BAD_GENESIS",
      unfunded: "TX_PAYMENT",
      garbage: "TX_BAD_FORMAT",
    });
    // A future nonce is neither included nor invalid: the pool keeps it for later.
    assert.equal(codes.has(hex(extrinsicHash(future))), false);
    assert.match(describeInvalid(built.invalid), /TX_BAD_PROOF/);
    await chain.importer.importBlock(built.block);
    assert.equal(chain.store.best().number, 1);
  });

  it("stops at the deadline", async () => {
    const chain = await open();
    const txs = [transfer(chain, "alice", accountOf("bob"), { nonce: 0 })];
    const built = build(chain, chain.genesis, 1, { transactions: txs, outOfTime: () => true });
    assert.equal(built.endReason, "deadline");
    assert.deepEqual(built.included, []);
    assert.equal(built.block.extrinsics.length, 1, "only the inherent");
    await chain.importer.importBlock(built.block);
  });

  it("fills the block to its weight limit and then stops (blockFull)", async () => {
    const crowd = extraAccounts(20);
    // The smallest allowed block weight: a handful of transfers fit.
    const spec = customSpec("dev", { funded: crowd, params: { maxBlockWeight: "1000000000" } });
    const chain = await open({ spec });
    const txs = crowd.map((who) => transfer(chain, who, accountOf("ferdie"), { nonce: 0 }));
    const built = build(chain, chain.genesis, 1, { transactions: txs });
    assert.equal(built.endReason, "blockFull");
    assert.deepEqual(built.invalid, []);
    // Timestamp inherent 10e6 + n × transfer 120e6 ≤ 1e9: eight transfers.
    assert.equal(built.included.length, 8);
    assert.deepEqual(built.included.map(hex), txs.slice(0, 8).map(extrinsicHash).map(hex));

    const imported = await chain.importer.importBlock(built.block);
    const state = chain.store.stateAtBlock(imported.hash);
    const used = BigInt(systemStorage.blockWeight.get(state));
    const max = param(state, "maxBlockWeight");
    assert.ok(used <= max && used + 120_000_000n > max, `block weight ${used} of ${max}`);
  });

  it("an own block imported with its precomputed update satisfies the invariants", async () => {
    const chain = await open();
    let parent = chain.genesis;
    for (let slot = 1; slot <= 4; slot++) {
      const built = build(chain, parent, slot, {
        transactions: [transfer(chain, "ferdie", accountOf("eve"), { nonce: slot - 1 })],
      });
      assert.equal(built.included.length, 1);
      const imported = await chain.importer.importOwnBlock(built);
      checkStoredInvariants(chain, imported.hash);
      parent = refOf(built.block);
      assert.deepEqual(headerHash(parent.header), imported.hash);
    }
    assert.equal(chain.store.best().number, 4);
  });
});

function withFlippedSignature(bytes: Uint8Array): Uint8Array {
  const extrinsic = decodeExtrinsic(bytes);
  const signature = Uint8Array.from(extrinsic.signature);
  signature[5]! ^= 1;
  return encodeExtrinsic({ ...extrinsic, signature });
}
