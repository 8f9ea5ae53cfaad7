// Ordered traversal: (key, value) pairs in lexicographic key order, which for whole-byte keys is
// nibble order with a branch's own value before its children. Lazy, so paging and prefix scans
// read only the nodes they return (plus the path to the start).

import { compareBytes } from "../../primitives/bytes.ts";
import { compareNibbles, concatNibbles, fromNibbles, type Nibbles, toNibbles } from "./nibbles.ts";
import { decodeNode } from "./node-codec.ts";
import type { TrieNodeSource } from "./node-source.ts";
import { requireNode } from "./node-source.ts";

/**
 * Lower bound on the rest of the key below the current node, given that the path so far equals
 * the bound's path so far. `null` means everything below qualifies.
 */
interface Bound {
  rest: Nibbles;
  inclusive: boolean;
}

function* walk(
  source: TrieNodeSource,
  hash: Uint8Array,
  path: Nibbles,
  bound: Bound | null,
): Generator<[Nibbles, Uint8Array]> {
  const node = decodeNode(requireNode(source, hash));
  switch (node.kind) {
    case "empty":
      return;
    case "leaf": {
      if (bound !== null) {
        const c = compareNibbles(node.path, bound.rest);
        if (c < 0 || (c === 0 && !bound.inclusive)) return;
      }
      yield [concatNibbles(path, node.path), node.value];
      return;
    }
    case "extension": {
      const next = concatNibbles(path, node.path);
      if (bound === null) {
        yield* walk(source, node.child, next, null);
        return;
      }
      const m = Math.min(node.path.length, bound.rest.length);
      const c = compareNibbles(node.path.subarray(0, m), bound.rest.subarray(0, m));
      if (c < 0) return;
      // Past the bound, or the bound ends inside our path (so everything below is longer).
      if (c > 0 || bound.rest.length < node.path.length) {
        yield* walk(source, node.child, next, null);
        return;
      }
      const rest = bound.rest.subarray(node.path.length);
      yield* walk(source, node.child, next, { rest, inclusive: bound.inclusive });
      return;
    }
    case "branch": {
      const here = bound === null || bound.rest.length === 0;
      if (node.value !== undefined && (bound === null || (here && bound.inclusive))) {
        yield [path, node.value];
      }
      const first = here ? 0 : bound!.rest[0]!;
      for (let i = first; i < 16; i++) {
        const child = node.children[i];
        if (child === undefined) continue;
        const childBound =
          here || i > first ? null : { rest: bound!.rest.subarray(1), inclusive: bound!.inclusive };
        yield* walk(source, child, concatNibbles(path, Uint8Array.of(i)), childBound);
      }
      return;
    }
  }
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

/**
 * Entries whose key starts with `prefix`, in key order, beginning strictly after `startAfter`
 * when given.
 */
export function* trieEntries(
  source: TrieNodeSource,
  root: Uint8Array,
  prefix: Uint8Array = new Uint8Array(0),
  startAfter?: Uint8Array,
): Generator<[Uint8Array, Uint8Array]> {
  const bound: Bound =
    startAfter !== undefined && compareBytes(startAfter, prefix) >= 0
      ? { rest: toNibbles(startAfter), inclusive: false }
      : { rest: toNibbles(prefix), inclusive: true };
  for (const [path, value] of walk(source, root, new Uint8Array(0), bound)) {
    const key = fromNibbles(path);
    if (!startsWith(key, prefix)) return;
    yield [key, value];
  }
}

/** Up to `count` keys under `prefix` strictly after `startKey`, in order (state_getKeysPaged). */
export function keysPaged(
  source: TrieNodeSource,
  root: Uint8Array,
  prefix: Uint8Array,
  count: number,
  startKey?: Uint8Array,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (count <= 0) return out;
  for (const [key] of trieEntries(source, root, prefix, startKey)) {
    out.push(key);
    if (out.length >= count) break;
  }
  return out;
}
