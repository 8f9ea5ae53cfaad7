import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  headerSlot,
  preRuntimeDigest,
  sealHeader,
  slotAt,
  splitSeal,
  verifySeal,
} from "../../../consensus/aura.ts";
import { BlockError } from "../../../consensus/errors.ts";
import type { Header } from "../../../primitives/chain.ts";
import { devKeypair } from "../../../primitives/dev-accounts.ts";
import { authorities } from "../../../runtime/pallets/authorities.ts";
import {
  accountAt,
  accountOf,
  build,
  extend,
  openChain,
  SLOT_MS,
  snapshot,
  type TestChain,
  transfer,
} from "./fixtures/dev-chain.ts";

const chains: TestChain[] = [];
async function open(spec: string): Promise<TestChain> {
  const chain = await openChain({ spec });
  chains.push(chain);
  return chain;
}
after(async () => {
  for (const chain of chains) await chain.close();
});

const LOCAL_ORDER = ["alice", "bob", "charlie", "dave"] as const;

function unsealedHeader(slot: number): Header {
  return {
    parentHash: new Uint8Array(32).fill(1),
    number: 1,
    stateRoot: new Uint8Array(32).fill(2),
    extrinsicsRoot: new Uint8Array(32).fill(3),
    digest: [preRuntimeDigest(slot)],
  };
}

describe("Aura primitives", () => {
  it("slotAt floors the timestamp by the slot duration", () => {
    assert.equal(slotAt(0, 2000), 0);
    assert.equal(slotAt(1999, 2000), 0);
    assert.equal(slotAt(2000, 2000), 1);
    assert.equal(slotAt(1_700_000_001_999, 2000), 850_000_000);
  });

  it("reads the slot back from the pre-runtime digest, and refuses a header without one", () => {
    assert.equal(headerSlot(unsealedHeader(42)), 42);
    assert.throws(
      () => headerSlot({ ...unsealedHeader(1), digest: [] }),
      (e: unknown) => e instanceof BlockError && e.code === "MISSING_SLOT",
    );
  });

  it("seals, splits and verifies: only the signer's key and the exact header pass", () => {
    const alice = devKeypair("alice");
    const sealed = sealHeader(unsealedHeader(7), alice.secretKey);
    assert.deepEqual(splitSeal(sealed).unsealed, unsealedHeader(7));
    verifySeal(sealed, alice.publicKey);
    assert.throws(
      () => verifySeal(sealed, devKeypair("bob").publicKey),
      (e: unknown) => e instanceof BlockError && e.code === "BAD_SEAL",
    );
    const otherNumber = { ...sealed, number: 2 };
    assert.throws(
      () => verifySeal(otherNumber, alice.publicKey),
      (e: unknown) => e instanceof BlockError && e.code === "BAD_SEAL",
    );
    assert.throws(
      () => splitSeal(unsealedHeader(7)),
      (e: unknown) => e instanceof BlockError && e.code === "UNSEALED",
    );
  });
});

describe("Aura on the 4-authority local chain", () => {
  it("has alice, bob, charlie and dave as authorities, in that order", async () => {
    const chain = await open("local");
    const set = authorities(chain.store.stateAtBlock(chain.genesisHash));
    assert.deepEqual(
      set,
      LOCAL_ORDER.map((name) => accountOf(name)),
    );
  });

  it("rotates authors authorities[slot % 4] and imports each rightful author's block", async () => {
    const chain = await open("local");
    let parent = chain.genesis;
    const authors: string[] = [];
    for (let slot = 1; slot <= 9; slot++) {
      const expected = LOCAL_ORDER[slot % 4]!;
      parent = await extend(chain, parent, slot, { author: expected });
      verifySeal(parent.header, accountOf(expected));
      authors.push(expected);
    }
    assert.deepEqual(authors, [
      "bob",
      "charlie",
      "dave",
      "alice",
      "bob",
      "charlie",
      "dave",
      "alice",
      "bob",
    ]);
    assert.equal(chain.store.best().number, 9);
    assert.equal(chain.invariantChecks.count, 9);
  });

  it("skipped slots do not shift the rotation: the slot, not the height, picks the author", async () => {
    const chain = await open("local");
    const b1 = await extend(chain, chain.genesis, 3, { author: "dave" });
    const b2 = await extend(chain, b1, 10, { author: "charlie" });
    assert.equal(b2.header.number, 2);
    assert.equal(headerSlot(b2.header), 10);
  });

  it("refuses a block sealed by another authority, or by a non-authority (BAD_SEAL)", async () => {
    const chain = await open("local");
    const b1 = await extend(chain, chain.genesis, 1);
    // Slot 5 is bob's. Charlie (an authority, wrong slot), alice (the previous/next round's author)
    // and eve (no authority at all) each build and seal a block in it.
    for (const impostor of ["charlie", "alice", "eve"] as const) {
      const block = build(chain, b1, 5, { author: impostor }).block;
      const before = await snapshot(chain);
      await assert.rejects(
        chain.importer.importBlock(block),
        (e: unknown) => e instanceof BlockError && e.code === "BAD_SEAL",
      );
      assert.deepEqual(await snapshot(chain), before);
    }
    await extend(chain, b1, 5, { author: "bob" });
  });

  it("pays the transaction fee's author share to the slot author", async () => {
    const chain = await open("local");
    const dave = accountOf("dave");
    const before = accountAt(chain, chain.genesisHash, dave).free;
    const built = build(chain, chain.genesis, 3, {
      transactions: [transfer(chain, "alice", accountOf("eve"), { nonce: 0 })],
    });
    const imported = await chain.importer.importBlock(built.block);
    assert.ok(accountAt(chain, imported.hash, dave).free > before, "dave authored slot 3");
    for (const other of ["bob", "charlie"] as const) {
      const o = accountOf(other);
      assert.equal(
        accountAt(chain, imported.hash, o).free,
        accountAt(chain, chain.genesisHash, o).free,
      );
    }
  });

  it("the timestamp inherent must agree with the header's slot", async () => {
    const chain = await open("local");
    // Built for slot 4 (alice), then the header is relabelled slot 8 (also alice) and resealed:
    // the inherent's timestamp now falls in another slot, so the runtime refuses it.
    const block = build(chain, chain.genesis, 4).block;
    const { unsealed } = splitSeal(block.header);
    const relabelled = sealHeader(
      { ...unsealed, digest: [preRuntimeDigest(8)] },
      devKeypair("alice").secretKey,
    );
    chain.clock.now = 8 * SLOT_MS;
    await assert.rejects(
      chain.importer.importBlock({ ...block, header: relabelled }),
      (e: unknown) => e instanceof BlockError && e.code === "INVALID_EXTRINSIC",
    );
  });
});
