import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { NodeCache } from "../../../state/trie/node-cache.ts";

const bytes = (n: number) => new Uint8Array(n);

describe("NodeCache", () => {
  it("stays within its entry and byte limits, whatever is stored", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(300), fc.integer({ min: 1, max: 64 })), { maxLength: 2000 }),
        (writes) => {
          const cache = new NodeCache({ maxEntries: 100, maxBytes: 2000 });
          for (const [key, size] of writes) {
            cache.set(String(key), bytes(size));
            assert.ok(cache.size <= 100, `size ${cache.size}`);
            assert.ok(cache.bytes <= 2000, `bytes ${cache.bytes}`);
          }
        },
      ),
    );
  });

  it("keeps what is used and forgets what is not", () => {
    const cache = new NodeCache({ maxEntries: 10, maxBytes: 1_000_000 });
    cache.set("hot", bytes(1));
    for (let i = 0; i < 100; i++) {
      cache.set(`cold-${i}`, bytes(1));
      assert.deepEqual(cache.get("hot"), bytes(1), `hot entry lost after ${i} writes`);
    }
    assert.equal(cache.get("cold-0"), undefined);
    assert.deepEqual(cache.get("cold-99"), bytes(1));
  });

  it("counts bytes exactly through replacements and deletes", () => {
    const cache = new NodeCache({ maxEntries: 1000, maxBytes: 1_000_000 });
    cache.set("a", bytes(10));
    cache.set("b", bytes(20));
    cache.set("a", bytes(5));
    assert.equal(cache.bytes, 25);
    cache.delete("b");
    cache.delete("missing");
    assert.equal(cache.bytes, 5);
    assert.equal(cache.size, 1);
    cache.set("huge", bytes(1_100_000));
    assert.equal(cache.get("huge"), undefined, "a value over the byte budget is not cached");
  });
});
