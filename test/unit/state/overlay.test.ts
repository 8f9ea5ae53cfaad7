import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { toHex } from "../../../primitives/bytes.ts";
import { StateOverlay } from "../../../state/overlay.ts";
import { EMPTY_ROOT, MemoryNodeSource } from "../../../state/trie/index.ts";
import { trieState } from "../../../state/trie-state.ts";
import {
  applyToModel,
  changesArb,
  commitChanges,
  entriesArb,
  keyArb,
  type Model,
  rootOf,
  sortedModelKeys,
} from "./fixtures/trie-model.ts";

const b = (...bytes: number[]) => Uint8Array.from(bytes);

function stateWith(entries: [Uint8Array, Uint8Array][]) {
  const source = new MemoryNodeSource();
  const root = commitChanges(
    source,
    EMPTY_ROOT,
    entries.map(([key, value]) => ({ key, value })),
  );
  return trieState(source, root);
}

describe("StateOverlay", () => {
  it("buffers writes over the backing state", () => {
    const overlay = new StateOverlay(stateWith([[b(1), b(10)]]));
    assert.deepEqual(overlay.get(b(1)), b(10));
    overlay.set(b(2), b(20));
    overlay.delete(b(1));
    assert.equal(overlay.get(b(1)), undefined);
    assert.deepEqual(overlay.get(b(2)), b(20));
    assert.deepEqual(overlay.changes(), [
      { key: b(1), value: null },
      { key: b(2), value: b(20) },
    ]);
  });

  it("nests transactions: rollback drops, commit merges down", () => {
    const overlay = new StateOverlay(stateWith([]));
    overlay.set(b(1), b(1));
    overlay.startTransaction();
    overlay.set(b(1), b(2));
    overlay.startTransaction();
    overlay.set(b(3), b(3));
    overlay.rollbackTransaction();
    assert.equal(overlay.get(b(3)), undefined);
    overlay.commitTransaction();
    assert.deepEqual(overlay.get(b(1)), b(2));
    overlay.startTransaction();
    overlay.delete(b(1));
    overlay.rollbackTransaction();
    assert.deepEqual(overlay.changes(), [{ key: b(1), value: b(2) }]);
    assert.throws(() => overlay.commitTransaction(), { code: "NO_TRANSACTION" });
  });

  it("bounds nesting depth and refuses changes with a transaction open", () => {
    const overlay = new StateOverlay(stateWith([]), { maxTransactionDepth: 2 });
    overlay.startTransaction();
    overlay.startTransaction();
    assert.throws(() => overlay.startTransaction(), { code: "TRANSACTION_DEPTH" });
    assert.throws(() => overlay.changes(), { code: "TRANSACTION_OPEN" });
  });

  it("storage root equals the root of the resulting key set, without writing", () => {
    fc.assert(
      fc.property(entriesArb, changesArb, (entries, changes) => {
        const backing = stateWith(entries);
        const overlay = new StateOverlay(backing);
        for (const c of changes) {
          if (c.value === null) overlay.delete(c.key);
          else overlay.set(c.key, c.value);
        }
        const model: Model = new Map();
        applyToModel(
          model,
          entries.map(([key, value]) => ({ key, value })),
        );
        applyToModel(model, changes);
        const expected = rootOf([...model.values()].map((e) => [e.key, e.value]));
        assert.equal(toHex(overlay.storageRoot()), toHex(expected));
      }),
    );
  });

  it("iterates the merged view by prefix; clearPrefix deletes exactly it", () => {
    fc.assert(
      fc.property(entriesArb, changesArb, keyArb, (entries, changes, rawPrefix) => {
        const prefix = rawPrefix.subarray(0, 1);
        const overlay = new StateOverlay(stateWith(entries));
        overlay.startTransaction();
        for (const c of changes) {
          if (c.value === null) overlay.delete(c.key);
          else overlay.set(c.key, c.value);
        }
        const model: Model = new Map();
        applyToModel(
          model,
          entries.map(([key, value]) => ({ key, value })),
        );
        applyToModel(model, changes);
        const want = sortedModelKeys(model).filter((k) => toHex(k).startsWith(toHex(prefix)));
        const got = [...overlay.entries(prefix)];
        assert.deepEqual(
          got.map(([k]) => toHex(k)),
          want.map(toHex),
        );
        for (const [k, v] of got) assert.deepEqual(v, model.get(toHex(k))?.value);
        if (want.length > 1) {
          assert.deepEqual(overlay.nextKey(want[0]!), want[1]);
        }
        const partial = overlay.clearPrefix(prefix, 1);
        assert.equal(partial.deleted, Math.min(1, want.length));
        assert.equal(partial.complete, want.length <= 1);
        overlay.clearPrefix(prefix);
        assert.deepEqual([...overlay.entries(prefix)], []);
        overlay.commitTransaction();
        for (const k of want) assert.equal(overlay.get(k), undefined);
      }),
    );
  });
});
