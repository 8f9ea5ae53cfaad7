import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compareBytes, toHex } from "../../../primitives/bytes.ts";
import { StateError } from "../../../state/errors.ts";
import {
  applyChanges,
  EMPTY_ROOT,
  keysPaged,
  MemoryNodeSource,
  prove,
  trieEntries,
  trieGet,
  verifyProof,
} from "../../../state/trie/index.ts";
import type { StateChange } from "../../../state/types.ts";
import {
  applyToModel,
  changesArb,
  commitChanges,
  entriesArb,
  keyArb,
  type Model,
  nodeMultiset,
  rootOf,
  sortedModelKeys,
} from "./fixtures/trie-model.ts";

const b = (...bytes: number[]) => Uint8Array.from(bytes);

function modelOf(entries: [Uint8Array, Uint8Array][]): Model {
  const m: Model = new Map();
  applyToModel(
    m,
    entries.map(([key, value]) => ({ key, value })),
  );
  return m;
}

describe("trie", () => {
  it("has a fixed empty root and reads nothing from it", () => {
    const source = new MemoryNodeSource();
    assert.equal(trieGet(source, EMPTY_ROOT, b(1)), undefined);
    const update = applyChanges(source, EMPTY_ROOT, [{ key: b(1), value: null }]);
    assert.deepEqual(update, { root: EMPTY_ROOT, inserted: [], removed: [] });
  });

  it("stores keys that are prefixes of other keys, and the empty key", () => {
    const source = new MemoryNodeSource();
    const entries: StateChange[] = [
      { key: b(), value: b(0) },
      { key: b(1), value: b(1) },
      { key: b(1, 2), value: b(2) },
      { key: b(1, 2, 3), value: b(3) },
    ];
    const root = commitChanges(source, EMPTY_ROOT, entries);
    for (const e of entries) assert.deepEqual(trieGet(source, root, e.key), e.value);
    assert.equal(trieGet(source, root, b(1, 3)), undefined);
  });

  it("gives the same root for the same key-value set in any order and batching", () => {
    fc.assert(
      fc.property(
        entriesArb.chain((entries) =>
          fc.tuple(
            fc.constant(entries),
            fc.shuffledSubarray(entries, { minLength: entries.length }),
            fc.array(fc.nat(), { maxLength: 5 }),
          ),
        ),
        ([entries, shuffled, cuts]) => {
          const expected = rootOf(entries);
          const source = new MemoryNodeSource();
          let root = EMPTY_ROOT;
          const points = [...new Set(cuts.map((c) => c % (shuffled.length + 1)))].sort(
            (x, y) => x - y,
          );
          let from = 0;
          for (const to of [...points, shuffled.length]) {
            const batch = shuffled.slice(from, to).map(([key, value]) => ({ key, value }));
            root = commitChanges(source, root, batch);
            from = Math.max(from, to);
          }
          assert.equal(toHex(root), toHex(expected));
        },
      ),
    );
  });

  it("reaches the canonical root of the model after any sequence of sets and deletes", () => {
    fc.assert(
      fc.property(fc.array(changesArb, { maxLength: 6 }), (batches) => {
        const source = new MemoryNodeSource();
        const model: Model = new Map();
        let root = EMPTY_ROOT;
        for (const batch of batches) {
          root = commitChanges(source, root, batch);
          applyToModel(model, batch);
          const fresh = rootOf([...model.values()].map((e) => [e.key, e.value]));
          assert.equal(toHex(root), toHex(fresh));
        }
      }),
    );
  });

  it("restores earlier roots when added keys are deleted again", () => {
    fc.assert(
      fc.property(entriesArb, entriesArb, (base, extra) => {
        const source = new MemoryNodeSource();
        const root0 = commitChanges(
          source,
          EMPTY_ROOT,
          base.map(([key, value]) => ({ key, value })),
        );
        const baseKeys = new Set(base.map(([k]) => toHex(k)));
        const added = extra.filter(([k]) => !baseKeys.has(toHex(k)));
        const root1 = commitChanges(
          source,
          root0,
          added.map(([key, value]) => ({ key, value })),
        );
        const root2 = commitChanges(
          source,
          root1,
          added.map(([key]) => ({ key, value: null })),
        );
        assert.equal(toHex(root2), toHex(root0));
        const root3 = commitChanges(
          source,
          root0,
          base.map(([key]) => ({ key, value: null })),
        );
        assert.equal(toHex(root3), toHex(EMPTY_ROOT));
      }),
    );
  });

  it("get agrees with the model", () => {
    fc.assert(
      fc.property(entriesArb, fc.array(keyArb, { maxLength: 10 }), (entries, probes) => {
        const source = new MemoryNodeSource();
        const model = modelOf(entries);
        const root = commitChanges(
          source,
          EMPTY_ROOT,
          entries.map(([key, value]) => ({ key, value })),
        );
        for (const key of [...entries.map(([k]) => k), ...probes]) {
          assert.deepEqual(trieGet(source, root, key), model.get(toHex(key))?.value);
        }
      }),
    );
  });

  it("accounts inserted and removed nodes per occurrence (multiset identity)", () => {
    fc.assert(
      fc.property(entriesArb, changesArb, (entries, changes) => {
        const source = new MemoryNodeSource();
        const root0 = commitChanges(
          source,
          EMPTY_ROOT,
          entries.map(([key, value]) => ({ key, value })),
        );
        const before = nodeMultiset(source, root0);
        const update = applyChanges(source, root0, changes);
        for (const n of update.inserted) source.put(n.hash, n.node);
        const after = nodeMultiset(source, update.root);
        const expected = new Map(before);
        for (const h of update.removed) expected.set(toHex(h), (expected.get(toHex(h)) ?? 0) - 1);
        for (const n of update.inserted) {
          expected.set(toHex(n.hash), (expected.get(toHex(n.hash)) ?? 0) + 1);
        }
        for (const [k, v] of expected) if (v === 0) expected.delete(k);
        assert.deepEqual(
          [...expected].sort(([a], [c]) => a.localeCompare(c)),
          [...after].sort(([a], [c]) => a.localeCompare(c)),
        );
      }),
    );
  });

  it("keysPaged and entries follow the sorted model", () => {
    fc.assert(
      fc.property(
        entriesArb,
        keyArb,
        fc.option(keyArb, { nil: undefined }),
        fc.integer({ min: 1, max: 50 }),
        (entries, rawPrefix, startKey, count) => {
          const prefix = rawPrefix.subarray(0, 2);
          const source = new MemoryNodeSource();
          const model = modelOf(entries);
          const root = commitChanges(
            source,
            EMPTY_ROOT,
            entries.map(([key, value]) => ({ key, value })),
          );
          const all = sortedModelKeys(model);
          assert.deepEqual(
            [...trieEntries(source, root)].map(([k]) => toHex(k)),
            all.map(toHex),
          );
          const expected = all
            .filter((k) => toHex(k).startsWith(toHex(prefix)))
            .filter((k) => startKey === undefined || compareBytes(k, startKey) > 0)
            .slice(0, count);
          const got = keysPaged(source, root, prefix, count, startKey);
          assert.deepEqual(got.map(toHex), expected.map(toHex));
          for (const [k, v] of trieEntries(source, root, prefix, startKey)) {
            assert.deepEqual(v, model.get(toHex(k))?.value);
          }
        },
      ),
    );
  });
});

describe("read proofs", () => {
  const proofCase = fc.tuple(entriesArb, fc.array(keyArb, { maxLength: 6 }));

  it("verify for present and absent keys", () => {
    fc.assert(
      fc.property(proofCase, ([entries, probes]) => {
        const source = new MemoryNodeSource();
        const model = modelOf(entries);
        const root = commitChanges(
          source,
          EMPTY_ROOT,
          entries.map(([key, value]) => ({ key, value })),
        );
        const keys = [...entries.slice(0, 5).map(([k]) => k), ...probes];
        const proof = prove(source, root, keys);
        assert.equal(new Set(proof.map(toHex)).size, proof.length, "deduplicated");
        assert.deepEqual(proof, prove(source, root, [...keys].reverse()), "deterministic");
        for (const key of keys) {
          const want = model.get(toHex(key));
          const got = verifyProof(root, key, proof);
          assert.deepEqual(got, want ? { found: true, value: want.value } : { found: false });
        }
      }),
    );
  });

  it("never give a wrong answer when tampered (bit flip or node removed)", () => {
    fc.assert(
      fc.property(
        proofCase,
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        ([entries, probes], which, bit, drop) => {
          const source = new MemoryNodeSource();
          const model = modelOf(entries);
          const root = commitChanges(
            source,
            EMPTY_ROOT,
            entries.map(([key, value]) => ({ key, value })),
          );
          const keys = [...entries.slice(0, 3).map(([k]) => k), ...probes];
          const proof = prove(source, root, keys);
          if (proof.length === 0) return;
          const i = which % proof.length;
          const tampered = proof.map((n) => n.slice());
          if (drop) tampered.splice(i, 1);
          else {
            const node = tampered[i]!;
            const at = bit % (node.length * 8);
            node[at >> 3]! ^= 1 << (at & 7);
          }
          for (const key of keys) {
            const want = model.get(toHex(key));
            try {
              const got = verifyProof(root, key, tampered);
              assert.deepEqual(got, want ? { found: true, value: want.value } : { found: false });
            } catch (err) {
              assert.ok(err instanceof StateError && err.code === "INVALID_PROOF", String(err));
            }
          }
          // The tampered node is on the path of the first key that needed it: at least one key
          // must now fail (the root node is needed by every key).
          if (i === 0 && keys.length > 0) {
            assert.throws(() => verifyProof(root, keys[0]!, tampered), { code: "INVALID_PROOF" });
          }
        },
      ),
    );
  });

  it("an empty proof only proves the empty trie", () => {
    assert.deepEqual(verifyProof(EMPTY_ROOT, b(1), []), { found: false });
    const root = rootOf([[b(1), b(2)]]);
    assert.throws(() => verifyProof(root, b(1), []), { code: "INVALID_PROOF" });
  });
});
