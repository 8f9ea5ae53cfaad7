// Applying a batch of changes to a trie. The touched paths are loaded into mutable nodes, changed
// in sorted key order, then hashed bottom-up. Untouched subtrees stay as hash references and are
// never read. Result is a function of (old trie, change set) only, so every node computes the
// same root regardless of insertion order or how changes were split into batches.
//
// Accounting for reference-counted pruning, per occurrence (a node can sit at several positions):
// `removed` lists the old trie's nodes at touched positions, `inserted` the new trie's nodes at
// touched positions, so that multiset(new) = multiset(old) − removed + inserted. A touched node
// that hashes the same as before is in neither list.
import { bytesEqual, compareBytes } from "../../primitives/bytes.ts";
import { hash } from "../../primitives/hash.ts";
import type { StateChange, TrieUpdate } from "../types.ts";
import { commonPrefixLength, concatNibbles, type Nibbles, toNibbles } from "./nibbles.ts";
import { decodeNode, EMPTY_ROOT, encodeNode } from "./node-codec.ts";
import type { TrieNodeSource } from "./node-source.ts";
import { requireNode } from "./node-source.ts";

/** A child reference: a stored node's hash (not loaded) or a node loaded/created in this update. */
type Ref = Uint8Array | MutNode;

interface Tracked {
  /** Hash of the stored node this was loaded from; absent for nodes created in this update. */
  origin?: Uint8Array;
  reached?: boolean;
  unchanged?: boolean;
}

type MutNode =
  | (Tracked & { kind: "leaf"; path: Nibbles; value: Uint8Array })
  | (Tracked & { kind: "extension"; path: Nibbles; child: Ref })
  | (Tracked & { kind: "branch"; children: (Ref | undefined)[]; value: Uint8Array | undefined });

const NO_NIBBLES: Nibbles = new Uint8Array(0);

function emptyChildren(): (Ref | undefined)[] {
  return new Array<Ref | undefined>(16).fill(undefined);
}

/** Changes sorted by key, the last write to a key winning. */
export function normalizeChanges(changes: readonly StateChange[]): StateChange[] {
  const indexed = changes.map((c, i) => ({ c, i }));
  indexed.sort((a, b) => compareBytes(a.c.key, b.c.key) || a.i - b.i);
  const out: StateChange[] = [];
  for (const { c } of indexed) {
    const last = out[out.length - 1];
    if (last !== undefined && bytesEqual(last.key, c.key)) out[out.length - 1] = c;
    else out.push(c);
  }
  return out;
}

export function applyChanges(
  source: TrieNodeSource,
  root: Uint8Array,
  changes: readonly StateChange[],
): TrieUpdate {
  const loaded: MutNode[] = [];

  const load = (ref: Ref): MutNode => {
    if (!(ref instanceof Uint8Array)) return ref;
    const node = decodeNode(requireNode(source, ref));
    let m: MutNode;
    switch (node.kind) {
      case "empty":
        throw new Error("unreachable: the empty node is never a child");
      case "leaf":
        m = { kind: "leaf", path: node.path, value: node.value, origin: ref };
        break;
      case "extension":
        m = { kind: "extension", path: node.path, child: node.child, origin: ref };
        break;
      case "branch":
        m = { kind: "branch", children: [...node.children], value: node.value, origin: ref };
        break;
    }
    loaded.push(m);
    return m;
  };

  /** A node holding `value` at `key[at..]`: a leaf, as the simplest canonical form. */
  const leaf = (key: Nibbles, at: number, value: Uint8Array): MutNode => ({
    kind: "leaf",
    path: key.subarray(at),
    value,
  });

  /** Wraps `node` under `path` keeping canonical form (merging into a leaf or extension). */
  const prefixed = (path: Nibbles, ref: Ref): Ref => {
    if (path.length === 0) return ref;
    const node = load(ref);
    if (node.kind === "leaf" || node.kind === "extension") {
      node.path = concatNibbles(path, node.path);
      return node;
    }
    return { kind: "extension", path, child: node };
  };

  const insert = (ref: Ref | undefined, key: Nibbles, at: number, value: Uint8Array): MutNode => {
    if (ref === undefined) return leaf(key, at, value);
    const node = load(ref);
    switch (node.kind) {
      case "leaf": {
        const common = commonPrefixLength(node.path, key, at);
        if (common === node.path.length && at + common === key.length) {
          node.value = value;
          return node;
        }
        const branch: MutNode = { kind: "branch", children: emptyChildren(), value: undefined };
        if (common === node.path.length) branch.value = node.value;
        else {
          const i = node.path[common]!;
          node.path = node.path.subarray(common + 1);
          branch.children[i] = node;
        }
        if (at + common === key.length) branch.value = value;
        else branch.children[key[at + common]!] = leaf(key, at + common + 1, value);
        return common === 0
          ? branch
          : { kind: "extension", path: key.subarray(at, at + common), child: branch };
      }
      case "extension": {
        const common = commonPrefixLength(node.path, key, at);
        if (common === node.path.length) {
          node.child = insert(node.child, key, at + common, value);
          return node;
        }
        const branch: MutNode = { kind: "branch", children: emptyChildren(), value: undefined };
        const rest = node.path.subarray(common + 1);
        branch.children[node.path[common]!] =
          rest.length === 0 ? node.child : { kind: "extension", path: rest, child: node.child };
        if (at + common === key.length) branch.value = value;
        else branch.children[key[at + common]!] = leaf(key, at + common + 1, value);
        if (common === 0) return branch;
        // Reuse the loaded extension for the shortened prefix: one position, one node.
        node.path = node.path.subarray(0, common);
        node.child = branch;
        return node;
      }
      case "branch": {
        if (at === key.length) node.value = value;
        else {
          const i = key[at]!;
          node.children[i] = insert(node.children[i], key, at + 1, value);
        }
        return node;
      }
    }
  };

  /** Restores canonical form after a branch lost an entry. */
  const collapse = (node: MutNode & { kind: "branch" }): Ref | undefined => {
    let count = 0;
    let only = -1;
    for (let i = 0; i < 16; i++) {
      if (node.children[i] !== undefined) {
        count++;
        only = i;
      }
    }
    if (count === 0) {
      return node.value === undefined
        ? undefined
        : { kind: "leaf", path: NO_NIBBLES, value: node.value };
    }
    if (count === 1 && node.value === undefined) {
      return prefixed(Uint8Array.of(only), node.children[only]!);
    }
    return node;
  };

  const remove = (ref: Ref | undefined, key: Nibbles, at: number): Ref | undefined => {
    if (ref === undefined) return undefined;
    const node = load(ref);
    switch (node.kind) {
      case "leaf": {
        const common = commonPrefixLength(node.path, key, at);
        const hit = common === node.path.length && at + common === key.length;
        return hit ? undefined : node;
      }
      case "extension": {
        if (commonPrefixLength(node.path, key, at) !== node.path.length) return node;
        const child = remove(node.child, key, at + node.path.length);
        if (child === undefined) return undefined;
        const path = node.path;
        // The child may have collapsed into a leaf or extension: fold our path into it.
        const childNode = load(child);
        if (childNode.kind === "branch") {
          node.child = childNode;
          return node;
        }
        childNode.path = concatNibbles(path, childNode.path);
        return childNode;
      }
      case "branch": {
        if (at === key.length) {
          if (node.value === undefined) return node;
          node.value = undefined;
        } else {
          const i = key[at]!;
          const before = node.children[i];
          if (before === undefined) return node;
          node.children[i] = remove(before, key, at + 1);
        }
        return collapse(node);
      }
    }
  };

  let top: Ref | undefined = bytesEqual(root, EMPTY_ROOT) ? undefined : root;
  for (const change of normalizeChanges(changes)) {
    const key = toNibbles(change.key);
    top = change.value === null ? remove(top, key, 0) : insert(top, key, 0, change.value);
  }

  const inserted: { hash: Uint8Array; node: Uint8Array }[] = [];
  const commit = (ref: Ref): Uint8Array => {
    if (ref instanceof Uint8Array) return ref;
    ref.reached = true;
    let encoding: Uint8Array;
    switch (ref.kind) {
      case "leaf":
        encoding = encodeNode(ref);
        break;
      case "extension":
        encoding = encodeNode({ kind: "extension", path: ref.path, child: commit(ref.child) });
        break;
      case "branch": {
        const children: (Uint8Array | undefined)[] = [];
        for (let i = 0; i < 16; i++) {
          const c = ref.children[i];
          children.push(c === undefined ? undefined : commit(c));
        }
        encoding = encodeNode({ kind: "branch", children, value: ref.value });
        break;
      }
    }
    const h = hash(encoding);
    if (ref.origin !== undefined && bytesEqual(ref.origin, h)) ref.unchanged = true;
    else inserted.push({ hash: h, node: encoding });
    return h;
  };

  const newRoot = top === undefined ? EMPTY_ROOT : commit(top);
  const removed: Uint8Array[] = [];
  for (const m of loaded) if (!(m.reached && m.unchanged)) removed.push(m.origin!);
  return { root: newRoot, inserted, removed };
}
