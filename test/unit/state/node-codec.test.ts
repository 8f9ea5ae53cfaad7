import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../../primitives/bytes.ts";
import { hash } from "../../../primitives/hash.ts";
import {
  decodeNode,
  EMPTY_NODE_ENCODING,
  EMPTY_ROOT,
  encodeNode,
  type TrieNode,
} from "../../../state/trie/index.ts";

const nibblesArb = fc
  .array(fc.integer({ min: 0, max: 15 }), { maxLength: 9 })
  .map((a) => Uint8Array.from(a));
const hashArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const nodeArb: fc.Arbitrary<TrieNode> = fc.oneof(
  fc.record({ kind: fc.constant("leaf" as const), path: nibblesArb, value: fc.uint8Array() }),
  fc.record({
    kind: fc.constant("extension" as const),
    path: nibblesArb.filter((p) => p.length > 0),
    child: hashArb,
  }),
  fc
    .record({
      kind: fc.constant("branch" as const),
      children: fc.array(fc.option(hashArb, { nil: undefined }), { minLength: 16, maxLength: 16 }),
      value: fc.option(fc.uint8Array(), { nil: undefined }),
    })
    .filter((n) => {
      const c = n.children.filter((x) => x !== undefined).length;
      return c >= 1 && c + (n.value === undefined ? 0 : 1) >= 2;
    }),
);

describe("trie node encoding", () => {
  it("round-trips and is canonical", () => {
    fc.assert(
      fc.property(nodeArb, (node) => {
        const bytes = encodeNode(node);
        assert.deepEqual(encodeNode(decodeNode(bytes)), bytes);
      }),
    );
  });

  it("has documented bytes", () => {
    assert.equal(toHex(EMPTY_NODE_ENCODING), "0x00");
    assert.deepEqual(EMPTY_ROOT, hash(Uint8Array.of(0)));
    // leaf, 3 nibbles [1,2,3] (padded), value 0xaa
    assert.equal(
      toHex(encodeNode({ kind: "leaf", path: Uint8Array.of(1, 2, 3), value: Uint8Array.of(0xaa) })),
      "0x0103123001aa",
    );
  });

  it("rejects non-canonical bytes", () => {
    for (const bad of [
      "0x", // nothing
      "0x05", // unknown tag
      "0x0103123101aa", // non-zero padding nibble
      "0x018000", // non-minimal varint
      "0x0103123001aa00", // trailing byte
      "0x020000", // empty extension path (and truncated)
      "0x030001", // branch bitmap claims a child that is missing
    ]) {
      assert.throws(() => decodeNode(fromHex(bad)), { code: "INVALID_TRIE_NODE" }, bad);
    }
    // A branch with a single child and no value must be an extension instead.
    const single = new Uint8Array(3 + 32);
    single.set([0x03, 0x00, 0x01]);
    assert.throws(() => decodeNode(single), { code: "INVALID_TRIE_NODE" });
  });
});
