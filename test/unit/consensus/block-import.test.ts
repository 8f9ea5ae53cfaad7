import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { preRuntimeDigest } from "../../../consensus/aura.ts";
import { BlockImporter, type ImportedBlock } from "../../../consensus/block-import.ts";
import { BlockError } from "../../../consensus/errors.ts";
import {
  type Block,
  decodeExtrinsic,
  encodeBlock,
  encodeExtrinsic,
  headerHash,
} from "../../../primitives/chain.ts";
import { SignatureVerifier } from "../../../primitives/signature-verifier.ts";
import { checkInvariants, extrinsicsRoot } from "../../../runtime/executive.ts";
import { storage as balancesStorage } from "../../../runtime/pallets/balances.ts";
import {
  accountAt,
  accountOf,
  build,
  extend,
  openChain,
  refOf,
  resealed,
  SLOT_MS,
  snapshot,
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

function isBlockError(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof BlockError, `expected a BlockError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

/** Refused with `code`, and the store is exactly as it was: no block, same pointers, same trie. */
async function assertRefused(chain: TestChain, block: Block | Uint8Array, code: string) {
  const before = await snapshot(chain);
  await assert.rejects(chain.importer.importBlock(block), isBlockError(code));
  assert.deepEqual(await snapshot(chain), before);
  if (!(block instanceof Uint8Array) && code !== "ALREADY_KNOWN") {
    assert.equal(chain.store.getBlockMeta(headerHash(block.header)), undefined);
  }
}

const TX_VALUE = 5_000_000_000_000n;

describe("BlockImporter: a valid chain", () => {
  it("imports empty blocks and blocks with signed transfers, checking invariants each time", async () => {
    // A verifier that sends even one signature to a worker thread, so the pool path is exercised.
    const chain = await open({ verifier: new SignatureVerifier({ workers: 2, inlineBelow: 1 }) });
    const bob = accountOf("bob");
    const charlie = accountOf("charlie");
    const bobBefore = accountAt(chain, chain.genesisHash, bob);
    const issuance = balancesStorage.totalIssuance.get(chain.store.stateAtBlock(chain.genesisHash));

    const b1 = await extend(chain, chain.genesis, 1);
    const b2 = await extend(chain, b1, 2, {
      transactions: [
        transfer(chain, "alice", bob, { nonce: 0, value: TX_VALUE }),
        transfer(chain, "alice", charlie, { nonce: 1, value: TX_VALUE }),
        transfer(chain, "dave", bob, { nonce: 0, value: TX_VALUE }),
      ],
    });
    assert.equal(b2.header.number, 2);
    // A mortal transaction born at block 1: its signature covers block 1's hash.
    const mortal = transfer(chain, "alice", bob, {
      nonce: 2,
      value: TX_VALUE,
      era: { period: 8, birth: 1, birthHash: b1.hash },
    });
    const b3 = await extend(chain, b2, 4, { transactions: [mortal] });

    assert.deepEqual(chain.store.best(), { hash: b3.hash, number: 3 });
    assert.deepEqual(chain.store.getCanonicalHash(2), b2.hash);
    assert.equal(chain.invariantChecks.count, 3);
    assert.equal(accountAt(chain, b3.hash, bob).free, bobBefore.free + 3n * TX_VALUE);
    assert.equal(accountAt(chain, b3.hash, accountOf("alice")).nonce, 3);
    assert.equal(accountAt(chain, b3.hash, accountOf("dave")).nonce, 1);
    // Fees were paid (part burned), so issuance can only have fallen; the invariant held throughout.
    const after = balancesStorage.totalIssuance.get(chain.store.stateAtBlock(b3.hash));
    assert.ok(after <= issuance);
  });

  it("imports encoded blocks and notifies listeners once per imported block", async () => {
    const chain = await open();
    const seen: ImportedBlock[] = [];
    const stop = chain.importer.onImported((block) => seen.push(block));
    const built = build(chain, chain.genesis, 1);
    const imported = await chain.importer.importBlock(encodeBlock(built.block));
    assert.deepEqual(imported.hash, headerHash(built.block.header));
    assert.equal(imported.origin, "network");
    assert.equal(imported.isBest, true);
    assert.deepEqual(imported.previousBest, { hash: chain.genesisHash, number: 0 });
    await assertRefused(chain, built.block, "ALREADY_KNOWN");
    stop();
    await extend(chain, refOf(built.block), 2);
    assert.equal(seen.length, 1);
  });

  it("keeps importing after a refusal: the queue is not poisoned", async () => {
    const chain = await open();
    const good = build(chain, chain.genesis, 1).block;
    const bad = resealed(good, "alice", (h) => ({ ...h, stateRoot: new Uint8Array(32) }));
    const results = await Promise.allSettled([
      chain.importer.importBlock(bad),
      chain.importer.importBlock(good),
    ]);
    assert.equal(results[0].status, "rejected");
    assert.equal(results[1].status, "fulfilled");
    assert.equal(chain.store.best().number, 1);
  });

  it("imports the author's own block without executing it again", async () => {
    const chain = await open();
    const built = build(chain, chain.genesis, 1, {
      transactions: [transfer(chain, "alice", accountOf("eve"), { nonce: 0 })],
    });
    assert.equal(built.included.length, 1);
    const imported = await chain.importer.importOwnBlock(built);
    assert.equal(imported.origin, "own");
    // The precomputed update is not executed again, but the invariants are still checked on it.
    assert.equal(chain.invariantChecks.count, 1);
    assert.equal(accountAt(chain, imported.hash, accountOf("alice")).nonce, 1);
    // The header checks still apply to the author's own blocks.
    const again = build(chain, refOf(built.block), 2);
    const forged = resealed(again.block, "bob", (h) => h);
    await assert.rejects(
      chain.importer.importOwnBlock({ block: forged, update: again.update }),
      isBlockError("BAD_SEAL"),
    );
  });

  it("refuses a block whose execution breaks an invariant (EXECUTION_FAILED)", async () => {
    const chain = await open();
    const strict = new BlockImporter({
      store: chain.store,
      verifier: chain.verifier,
      genesisHash: chain.genesisHash,
      now: () => chain.clock.now,
      checkInvariants() {
        throw new Error("invariant violated");
      },
    });
    const before = await snapshot(chain);
    await assert.rejects(
      strict.importBlock(build(chain, chain.genesis, 1).block),
      isBlockError("EXECUTION_FAILED"),
    );
    assert.deepEqual(await snapshot(chain), before);
  });
});

describe("BlockImporter: invariants on the author's own blocks", () => {
  it("refuses an own block whose precomputed state breaks an invariant", async () => {
    const chain = await open();
    const strict = new BlockImporter({
      store: chain.store,
      verifier: chain.verifier,
      genesisHash: chain.genesisHash,
      now: () => chain.clock.now,
      checkInvariants(state) {
        const issuance = balancesStorage.totalIssuance.get(state);
        balancesStorage.totalIssuance.set(state, issuance + 1n);
        checkInvariants(state);
      },
    });
    const before = await snapshot(chain);
    await assert.rejects(
      strict.importOwnBlock(build(chain, chain.genesis, 1)),
      isBlockError("EXECUTION_FAILED"),
    );
    assert.deepEqual(await snapshot(chain), before);
  });
});

describe("BlockImporter: fork choice", () => {
  it("moves best to a longer fork and reports the previous best", async () => {
    const chain = await open();
    const a1 = await chain.importer.importBlock(build(chain, chain.genesis, 1).block);
    assert.equal(a1.isBest, true);
    const b1Built = build(chain, chain.genesis, 2);
    const b1 = await chain.importer.importBlock(b1Built.block);
    assert.equal(b1.isBest, false, "an equally long fork does not take over");
    assert.deepEqual(chain.store.best().hash, a1.hash);
    const b2 = await chain.importer.importBlock(build(chain, refOf(b1Built.block), 3).block);
    assert.equal(b2.isBest, true);
    assert.deepEqual(b2.previousBest, { hash: a1.hash, number: 1 });
    assert.deepEqual(chain.store.best(), { hash: b2.hash, number: 2 });
    assert.deepEqual(chain.store.getCanonicalHash(1), b1.hash);
    assert.equal(chain.invariantChecks.count, 3);
  });
});

describe("BlockImporter: refusals", () => {
  it("UNDECODABLE: bytes that are not a block", async () => {
    const chain = await open();
    await assertRefused(chain, Uint8Array.of(0xff, 0xff, 0xff), "UNDECODABLE");
    const valid = encodeBlock(build(chain, chain.genesis, 1).block);
    await assertRefused(chain, valid.subarray(0, valid.length - 3), "UNDECODABLE");
  });

  it("ALREADY_KNOWN: the same block twice", async () => {
    const chain = await open();
    const built = build(chain, chain.genesis, 1);
    await chain.importer.importBlock(built.block);
    await assertRefused(chain, built.block, "ALREADY_KNOWN");
    await assertRefused(chain, encodeBlock(built.block), "ALREADY_KNOWN");
  });

  it("UNKNOWN_PARENT and BAD_NUMBER", async () => {
    const chain = await open();
    const block = build(chain, chain.genesis, 1).block;
    const orphan = resealed(block, "alice", (h) => ({
      ...h,
      parentHash: new Uint8Array(32).fill(7),
    }));
    await assertRefused(chain, orphan, "UNKNOWN_PARENT");
    const skipped = resealed(block, "alice", (h) => ({ ...h, number: 2 }));
    await assertRefused(chain, skipped, "BAD_NUMBER");
    const zero = resealed(block, "alice", (h) => ({ ...h, number: 0 }));
    await assertRefused(chain, zero, "BAD_NUMBER");
  });

  it("BELOW_FINALIZED: at or below the finalized height, or off the finalized chain", async () => {
    // Archive mode keeps the dead fork's blocks, so the ancestry check itself is what refuses.
    const chain = await open({ pruning: "archive" });
    const a1 = await extend(chain, chain.genesis, 1);
    const b1 = await extend(chain, chain.genesis, 2);
    const onB1 = build(chain, b1, 3).block;
    const onGenesis = build(chain, chain.genesis, 4).block;
    await chain.store.finalize(a1.hash);
    await assertRefused(chain, onGenesis, "BELOW_FINALIZED");
    await assertRefused(chain, onB1, "BELOW_FINALIZED");
    await extend(chain, a1, 5);
  });

  it("with pruning, a child of a discarded fork has an UNKNOWN_PARENT", async () => {
    const chain = await open();
    const a1 = await extend(chain, chain.genesis, 1);
    const b1 = await extend(chain, chain.genesis, 2);
    const onB1 = build(chain, b1, 3).block;
    await chain.store.finalize(a1.hash);
    await assertRefused(chain, onB1, "UNKNOWN_PARENT");
  });

  it("SLOT_NOT_INCREASING: a slot not after the parent's", async () => {
    const chain = await open();
    const b1 = await extend(chain, chain.genesis, 5);
    const b2 = build(chain, b1, 6).block;
    for (const slot of [5, 4]) {
      const stale = resealed(b2, "alice", (h) => ({ ...h, digest: [preRuntimeDigest(slot)] }));
      await assertRefused(chain, stale, "SLOT_NOT_INCREASING");
    }
  });

  it("FUTURE_SLOT: more than the allowed drift ahead of the clock", async () => {
    const chain = await open();
    const block = build(chain, chain.genesis, 10).block;
    chain.clock.now = 8 * SLOT_MS + SLOT_MS - 1; // still slot 8: slot 10 is two ahead
    await assertRefused(chain, block, "FUTURE_SLOT");
    chain.clock.now = 9 * SLOT_MS; // slot 9: one slot of drift is allowed
    await chain.importer.importBlock(block);
  });

  it("UNSEALED: no seal, or a seal not last", async () => {
    const chain = await open();
    const block = build(chain, chain.genesis, 1).block;
    const digest = block.header.digest;
    const noSeal = { ...block, header: { ...block.header, digest: digest.slice(0, -1) } };
    await assertRefused(chain, noSeal, "UNSEALED");
    const sealFirst = { ...block, header: { ...block.header, digest: [...digest].reverse() } };
    await assertRefused(chain, sealFirst, "UNSEALED");
  });

  it("BAD_SEAL: a seal that does not sign this header", async () => {
    const chain = await open();
    const block = build(chain, chain.genesis, 1).block;
    const seal = block.header.digest.at(-1)!.seal!;
    const flipped = Uint8Array.from(seal.data);
    flipped[0]! ^= 1;
    const tampered = {
      ...block,
      header: {
        ...block.header,
        digest: [...block.header.digest.slice(0, -1), { seal: { ...seal, data: flipped } }],
      },
    };
    await assertRefused(chain, tampered, "BAD_SEAL");
    // Alice's valid seal over a different header (another state root) does not carry over.
    const moved = { ...block, header: { ...block.header, stateRoot: new Uint8Array(32) } };
    await assertRefused(chain, moved, "BAD_SEAL");
  });

  it("BAD_EXTRINSICS_ROOT: a body that is not the one the header commits to", async () => {
    const chain = await open();
    const tx = transfer(chain, "alice", accountOf("bob"), { nonce: 0 });
    const block = build(chain, chain.genesis, 1, { transactions: [tx] }).block;
    await assertRefused(
      chain,
      { ...block, extrinsics: block.extrinsics.slice(0, 1) },
      "BAD_EXTRINSICS_ROOT",
    );
    const wrongRoot = resealed(block, "alice", (h) => ({
      ...h,
      extrinsicsRoot: new Uint8Array(32),
    }));
    await assertRefused(chain, wrongRoot, "BAD_EXTRINSICS_ROOT");
  });

  it("STATE_ROOT_MISMATCH: the header claims another state", async () => {
    const chain = await open();
    const block = build(chain, chain.genesis, 1, {
      transactions: [transfer(chain, "alice", accountOf("bob"), { nonce: 0 })],
    }).block;
    const other = build(chain, chain.genesis, 1).block;
    const lying = resealed(block, "alice", (h) => ({ ...h, stateRoot: other.header.stateRoot }));
    await assertRefused(chain, lying, "STATE_ROOT_MISMATCH");
  });

  it("BAD_SIGNATURE: a transaction whose signature was tampered with", async () => {
    const chain = await open();
    const txs = [
      transfer(chain, "alice", accountOf("bob"), { nonce: 0 }),
      transfer(chain, "bob", accountOf("alice"), { nonce: 0 }),
    ];
    const block = build(chain, chain.genesis, 1, { transactions: txs }).block;
    assert.equal(block.extrinsics.length, 3);
    const extrinsic = decodeExtrinsic(block.extrinsics[2]!);
    const signature = Uint8Array.from(extrinsic.signature);
    signature[10]! ^= 0x40;
    const extrinsics = [
      ...block.extrinsics.slice(0, 2),
      encodeExtrinsic({ ...extrinsic, signature }),
    ];
    const tampered = resealed(
      block,
      "alice",
      (h) => ({ ...h, extrinsicsRoot: extrinsicsRoot(extrinsics) }),
      extrinsics,
    );
    await assertRefused(chain, tampered, "BAD_SIGNATURE");
    // The error names the extrinsic's position in the block (2), not among signed ones (1).
    await assert.rejects(chain.importer.importBlock(tampered), /extrinsic 2 has a bad signature/);
    // Same 4-byte chain tag, different genesis hash: the signature covers another chain.
    const otherGenesis = Uint8Array.from(chain.genesisHash);
    otherGenesis[31]! ^= 1;
    const foreign = transfer(chain, "alice", accountOf("bob"), {
      nonce: 0,
      genesisHash: otherGenesis,
    });
    const withForeign = [block.extrinsics[0]!, foreign];
    const foreignBlock = resealed(
      block,
      "alice",
      (h) => ({ ...h, extrinsicsRoot: extrinsicsRoot(withForeign) }),
      withForeign,
    );
    await assertRefused(chain, foreignBlock, "BAD_SIGNATURE");
  });

  it("INVALID_EXTRINSIC: undecodable, out-of-order nonce, duplicate, or a missing inherent", async () => {
    const chain = await open();
    const tx0 = transfer(chain, "alice", accountOf("bob"), { nonce: 0 });
    const block = build(chain, chain.genesis, 1, { transactions: [tx0] }).block;
    const [inherent] = block.extrinsics as [Uint8Array, Uint8Array];
    const bodies: [string, Uint8Array[]][] = [
      ["garbage", [inherent, Uint8Array.of(1, 2, 3)]],
      ["future nonce", [inherent, transfer(chain, "alice", accountOf("bob"), { nonce: 1 })]],
      ["duplicate", [inherent, tx0, tx0]],
      ["no inherent first", [tx0, inherent]],
    ];
    for (const [what, extrinsics] of bodies) {
      const bad = resealed(
        block,
        "alice",
        (h) => ({ ...h, extrinsicsRoot: extrinsicsRoot(extrinsics) }),
        extrinsics,
      );
      await assertRefused(chain, bad, "INVALID_EXTRINSIC").catch((error: unknown) => {
        throw new Error(`${what}: ${String(error)}`, { cause: error });
      });
    }
  });
});
