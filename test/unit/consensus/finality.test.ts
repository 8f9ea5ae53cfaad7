import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { headerOf } from "../../../consensus/chain-view.ts";
import {
  decodeJustification,
  FinalityGadget,
  type Justification,
  signPrecommit,
  thresholdWeight,
  verifyJustification,
} from "../../../consensus/finality.ts";
import { treeRoute } from "../../../consensus/tree-route.ts";
import { bytesEqual } from "../../../primitives/bytes.ts";
import { devKeypair } from "../../../primitives/dev-accounts.ts";
import type { Keypair } from "../../../primitives/keys.ts";
import { authorities } from "../../../runtime/pallets/authorities.ts";
import { extend, openChain, type TestChain } from "./fixtures/dev-chain.ts";

const chains: TestChain[] = [];
after(async () => {
  for (const chain of chains) await chain.close();
});

async function chainWith(spec: "dev" | "local", blocks: number) {
  const chain = await openChain({ spec });
  chains.push(chain);
  let parent = chain.genesis;
  const refs = [];
  for (let slot = 1; refs.length < blocks; slot++) {
    parent = await extend(chain, parent, slot);
    refs.push({ hash: parent.hash, number: parent.header.number });
  }
  return { chain, refs };
}

function gadget(chain: TestChain, keys: Keypair[]) {
  const finalized: number[] = [];
  const g = new FinalityGadget({
    store: chain.store,
    genesisHash: chain.genesisHash,
    localKeys: () => keys,
    onFinalized: (block) => finalized.push(block.number),
  });
  return { g, finalized };
}

describe("finality threshold", () => {
  it("needs more than two thirds of the set", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 10, 100].map(thresholdWeight),
      [1, 2, 3, 3, 4, 5, 5, 7, 67],
    );
  });
});

describe("FinalityGadget", () => {
  it("a sole authority finalizes each best block with a justification anyone can verify", async () => {
    const { chain, refs } = await chainWith("dev", 3);
    const { g, finalized } = gadget(chain, [devKeypair("alice")]);
    for (const ref of refs) await g.onBestBlock(ref);
    assert.deepEqual(finalized, [1, 2, 3]);
    assert.deepEqual(chain.store.finalized(), refs[2]);
    for (const ref of refs) {
      const bytes = chain.store.getJustification(ref.hash);
      assert.ok(bytes, `block #${ref.number} has a justification`);
      const justification = decodeJustification(bytes);
      const set = authorities(chain.store.stateAtBlock(ref.hash));
      verifyJustification(chain.store, justification, ref, set, chain.genesisHash);
    }
  });

  it("a key outside the authority set finalizes nothing", async () => {
    const { chain, refs } = await chainWith("dev", 1);
    const { g, finalized } = gadget(chain, [devKeypair("bob")]);
    await g.onBestBlock(refs[0]!);
    assert.deepEqual(finalized, []);
    assert.equal(chain.store.finalized().number, 0);
  });

  it("with four authorities one vote is not enough; three are, and votes are checked", async () => {
    const { chain, refs } = await chainWith("local", 2);
    const target = refs[1]!;
    const { g, finalized } = gadget(chain, [devKeypair("alice")]);
    await g.onBestBlock(target);
    assert.deepEqual(finalized, [], "1 of 4 does not finalize");
    const context = { genesisHash: chain.genesisHash, setId: 0, round: target.number };

    const forged = { ...signPrecommit(devKeypair("bob"), context, target) };
    forged.signature = forged.signature.slice();
    forged.signature[0]! ^= 1;
    await assert.rejects(g.addPrecommit(forged), { code: "BAD_SIGNATURE" });
    const outsider = signPrecommit(devKeypair("eve"), context, target);
    await assert.rejects(g.addPrecommit(outsider), { code: "NOT_AN_AUTHORITY" });
    const wrongRound = signPrecommit(devKeypair("bob"), { ...context, round: 99 }, target);
    await assert.rejects(g.addPrecommit(wrongRound), { code: "BAD_SIGNATURE" });
    assert.deepEqual(finalized, []);

    await g.addPrecommit(signPrecommit(devKeypair("bob"), context, target));
    assert.deepEqual(finalized, [], "2 of 4 does not finalize");
    await g.addPrecommit(signPrecommit(devKeypair("charlie"), context, target));
    assert.deepEqual(finalized, [2], "3 of 4 finalizes");
    assert.ok(bytesEqual(chain.store.finalized().hash, target.hash));
    // The ancestor is final with it.
    assert.ok(bytesEqual(chain.store.getCanonicalHash(1)!, refs[0]!.hash));
  });
});

describe("verifyJustification", () => {
  it("refuses tampered, duplicated, foreign and insufficient justifications", async () => {
    const { chain, refs } = await chainWith("local", 1);
    const target = refs[0]!;
    const set = authorities(chain.store.stateAtBlock(target.hash));
    const context = { genesisHash: chain.genesisHash, setId: 0, round: target.number };
    const votes = (["alice", "bob", "charlie"] as const).map((n) =>
      signPrecommit(devKeypair(n), context, target),
    );
    const base: Justification = {
      round: target.number,
      setId: 0,
      blockHash: target.hash,
      blockNumber: target.number,
      precommits: votes,
    };
    const check = (j: Justification) =>
      verifyJustification(chain.store, j, target, set, chain.genesisHash);
    check(base);
    assert.throws(() => check({ ...base, precommits: votes.slice(0, 2) }), {
      code: "NOT_ENOUGH_VOTES",
    });
    assert.throws(() => check({ ...base, precommits: [votes[0]!, votes[0]!, votes[1]!] }), {
      code: "DUPLICATE_VOTE",
    });
    assert.throws(() => check({ ...base, round: 7 }), { code: "BAD_SIGNATURE" });
    assert.throws(
      () => verifyJustification(chain.store, base, target, set, new Uint8Array(32).fill(9)),
      { code: "BAD_SIGNATURE" },
    );
    assert.throws(() => check({ ...base, blockNumber: 5 }), { code: "BAD_JUSTIFICATION" });
    const eve = signPrecommit(devKeypair("eve"), context, target);
    assert.throws(() => check({ ...base, precommits: [...votes, eve] }), {
      code: "NOT_AN_AUTHORITY",
    });
  });
});

describe("treeRoute", () => {
  it("lists retracted and enacted blocks around the common ancestor", async () => {
    const { chain, refs } = await chainWith("dev", 2);
    // A fork from block 1 that grows past the old best.
    const base = { hash: refs[0]!.hash, header: headerOf(chain.store, refs[0]!.hash)! };
    const f2 = await extend(chain, base, 500);
    const f3 = await extend(chain, f2, 501);
    const fork2 = { hash: f2.hash, number: 2 };
    const fork3 = { hash: f3.hash, number: 3 };
    const route = treeRoute(chain.store, refs[1]!, fork3);
    assert.deepEqual(route.common, refs[0]);
    assert.deepEqual(route.retracted, [refs[1]]);
    assert.deepEqual(route.enacted, [fork2, fork3]);
    const back = treeRoute(chain.store, fork3, refs[1]!);
    assert.deepEqual(back.retracted, [fork3, fork2]);
    assert.deepEqual(back.enacted, [refs[1]]);
    assert.deepEqual(treeRoute(chain.store, refs[1]!, refs[1]!).retracted, []);
  });
});

describe("BlockImporter listeners", () => {
  it("a throwing listener neither fails the import nor silences the others", async () => {
    const { chain } = await chainWith("dev", 0);
    const seen: number[] = [];
    chain.importer.onImported(() => {
      throw new Error("listener bug");
    });
    chain.importer.onImported((block) => seen.push(block.header.number));
    const block = await extend(chain, chain.genesis, 1);
    assert.equal(block.header.number, 1);
    assert.deepEqual(seen, [1]);
    assert.equal(chain.store.best().number, 1);
  });
});
