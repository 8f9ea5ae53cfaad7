import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { toHex, u32be, utf8 } from "../../../primitives/bytes.ts";
import { ChainStore } from "../../../state/chain-store.ts";
import { Kv } from "../../../state/kv.ts";
import { EMPTY_ROOT } from "../../../state/trie/index.ts";
import { asBuilt, blockCommit, genesisCommit } from "./fixtures/chain-builder.ts";

const b = (...bytes: number[]) => Uint8Array.from(bytes);
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "lineage-state-"));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function withGenesis(options: Parameters<typeof ChainStore.open>[1] = {}) {
  const store = await ChainStore.open({ memory: true }, options);
  const genesis = genesisCommit([{ key: utf8("alice"), value: b(100) }]);
  await store.commitGenesis(genesis);
  return { store, genesis: asBuilt(genesis, 0) };
}

describe("ChainStore", () => {
  it("stores genesis and blocks, and reads their state", async () => {
    const { store, genesis } = await withGenesis();
    assert.deepEqual(store.genesisHash(), genesis.hash);
    assert.deepEqual(store.best(), { hash: genesis.hash, number: 0 });
    const c1 = blockCommit(store, genesis, [{ key: utf8("bob"), value: b(7) }]);
    await store.commitBlock(c1);
    assert.deepEqual(store.best(), { hash: c1.hash, number: 1 });
    assert.deepEqual(store.getHeader(c1.hash), c1.header);
    assert.deepEqual(store.getBody(c1.hash), c1.body);
    assert.equal(store.getBlockNumber(c1.hash), 1);
    assert.deepEqual(store.getCanonicalHash(1), c1.hash);
    const state = store.stateAtBlock(c1.hash);
    assert.deepEqual(state.get(utf8("alice")), b(100));
    assert.deepEqual(state.get(utf8("bob")), b(7));
    assert.equal(store.stateAt(genesis.stateRoot).get(utf8("bob")), undefined);
    assert.ok(store.hasState(EMPTY_ROOT));
    await store.commitBlock(c1); // idempotent
    await store.close();
  });

  it("rejects blocks it cannot place", async () => {
    const { store, genesis } = await withGenesis();
    const c1 = blockCommit(store, genesis, []);
    await assert.rejects(store.commitBlock({ ...c1, parentHash: new Uint8Array(32).fill(9) }), {
      code: "UNKNOWN_PARENT",
    });
    await assert.rejects(store.commitBlock({ ...c1, number: 5 }), { code: "INVALID_BLOCK_NUMBER" });
    await assert.rejects(store.commitBlock({ ...c1, stateRoot: new Uint8Array(32) }), {
      code: "STATE_ROOT_MISMATCH",
    });
    await store.commitBlock(c1);
    await store.finalize(c1.hash);
    const late = blockCommit(store, genesis, [], { salt: 1 });
    await assert.rejects(store.commitBlock(late), { code: "BELOW_FINALIZED" });
    await assert.rejects(store.finalize(new Uint8Array(32)), { code: "UNKNOWN_BLOCK" });
    await store.close();
  });

  it("rewrites the canonical index on reorg, both longer and shorter", async () => {
    const { store, genesis } = await withGenesis();
    const a1 = blockCommit(store, genesis, [{ key: b(1), value: b(1) }]);
    await store.commitBlock(a1);
    const a2 = blockCommit(store, asBuilt(a1, 1), [{ key: b(2), value: b(2) }]);
    await store.commitBlock(a2);
    const b1 = blockCommit(store, genesis, [{ key: b(1), value: b(9) }], { setBest: false });
    await store.commitBlock(b1);
    assert.deepEqual(store.getCanonicalHash(1), a1.hash);
    // A shorter chain becomes best (e.g. fork choice after finality votes).
    const b1best = blockCommit(store, genesis, [{ key: b(1), value: b(8) }], { salt: 2 });
    await store.commitBlock(b1best);
    assert.deepEqual(store.best(), { hash: b1best.hash, number: 1 });
    assert.deepEqual(store.getCanonicalHash(1), b1best.hash);
    assert.equal(store.getCanonicalHash(2), undefined);
    // Back to the longer chain.
    const a3 = blockCommit(store, asBuilt(a2, 2), []);
    await store.commitBlock(a3);
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => toHex(store.getCanonicalHash(n)!)),
      [genesis.hash, a1.hash, a2.hash, a3.hash].map(toHex),
    );
    await store.close();
  });

  it("finalizing discards forks and their state; finalizing a side block reorgs to it", async () => {
    const { store, genesis } = await withGenesis({ pruning: { keep: 0 } });
    const a1 = blockCommit(store, genesis, [{ key: b(1), value: b(1) }]);
    const f1 = blockCommit(store, genesis, [{ key: b(1), value: b(2) }], { setBest: false });
    await store.commitBlock(a1);
    await store.commitBlock(f1);
    const f2 = blockCommit(store, asBuilt(f1, 1), [{ key: b(2), value: b(2) }], { setBest: false });
    await store.commitBlock(f2);
    await store.finalize(f1.hash, b(0xee));
    assert.deepEqual(store.finalized(), { hash: f1.hash, number: 1 });
    assert.deepEqual(store.best(), { hash: f1.hash, number: 1 });
    assert.deepEqual(store.getJustification(f1.hash), b(0xee));
    assert.equal(store.getHeader(a1.hash), undefined);
    assert.throws(() => store.stateAt(a1.stateRoot), { code: "STATE_DISCARDED" });
    assert.throws(() => store.stateAtBlock(genesis.hash), { code: "STATE_DISCARDED" });
    assert.deepEqual(store.stateAtBlock(f2.hash).get(b(2)), b(2));
    // Justification for an already final block is still stored.
    await store.finalize(f1.hash, b(0xef));
    assert.deepEqual(store.getJustification(f1.hash), b(0xef));
    await store.close();
  });

  it("archive mode keeps every state", async () => {
    const { store, genesis } = await withGenesis({ pruning: "archive" });
    let parent = genesis;
    for (let i = 1; i <= 20; i++) {
      const c = blockCommit(store, parent, [{ key: b(i), value: b(i) }]);
      await store.commitBlock(c);
      await store.finalize(c.hash);
      parent = asBuilt(c, i);
    }
    for (let i = 0; i <= 20; i++) {
      const state = store.stateAtBlock(store.getCanonicalHash(i)!);
      assert.equal(state.get(b(i + 1)), undefined);
      if (i > 0) assert.deepEqual(state.get(b(i)), b(i));
    }
    await store.close();
  });

  it("keeps the pruning mode chosen at creation, and refuses another chain's database", async () => {
    const path = await tempDir();
    const store = await ChainStore.open({ path }, { pruning: { keep: 10 } });
    const genesis = genesisCommit([{ key: b(1), value: b(1) }]);
    await store.commitGenesis(genesis);
    await store.close();

    await assert.rejects(ChainStore.open({ path }, { pruning: "archive" }), {
      code: "PRUNING_MODE_MISMATCH",
    });
    const other = genesisCommit([{ key: b(1), value: b(2) }]);
    await assert.rejects(ChainStore.open({ path }, { genesisHash: other.hash }), {
      code: "GENESIS_MISMATCH",
    });
    const widened = await ChainStore.open(
      { path },
      { pruning: { keep: 50 }, genesisHash: genesis.hash },
    );
    assert.deepEqual(widened.pruning, { keep: 50 });
    await assert.rejects(widened.commitGenesis(other), { code: "GENESIS_MISMATCH" });
    await widened.close();
    const reopened = await ChainStore.open({ path });
    assert.deepEqual(reopened.pruning, { keep: 50 });
    assert.deepEqual(reopened.best(), { hash: genesis.hash, number: 0 });
    await reopened.close();

    // A database from a future format is refused rather than misread.
    const kv = await Kv.openDisk(path);
    await kv.batch([{ type: "put", key: b(0x00, 0x01), value: u32be(99) }]);
    await kv.close();
    await assert.rejects(ChainStore.open({ path }), { code: "SCHEMA_MISMATCH" });

    const archivePath = await tempDir();
    const archive = await ChainStore.open({ path: archivePath }, { pruning: "archive" });
    await archive.close();
    await assert.rejects(ChainStore.open({ path: archivePath }, { pruning: { keep: 5 } }), {
      code: "PRUNING_MODE_MISMATCH",
    });
  });

  it("exposes uncommitted state through pending nodes", async () => {
    const { store, genesis } = await withGenesis();
    const c1 = blockCommit(store, genesis, [{ key: b(5), value: b(5) }]);
    assert.throws(() => store.stateAt(c1.stateRoot), { code: "STATE_DISCARDED" });
    assert.deepEqual(store.stateAfter(c1.trie).get(b(5)), b(5));
    await store.close();
  });
});
