// Trie node encoding. A node's address is blake2b-256 of these bytes, so the encoding must be
// canonical: the decoder rejects anything the encoder would not produce.
//
//   varint   = unsigned LEB128, minimal (no trailing zero groups), below 2^32
//   path     = varint(nibble count) ‖ nibbles packed high-nibble first; an odd count pads the
//              last byte's low nibble with 0
//   value    = varint(byte length) ‖ bytes
//   empty    = 0x00                                   (only as the empty trie's root)
//   leaf     = 0x01 ‖ path ‖ value
//   extension= 0x02 ‖ path (≥ 1 nibble) ‖ child hash (32 bytes)
//   branch   = 0x03 ‖ bitmap ‖ child hashes           (no value)
//            | 0x04 ‖ bitmap ‖ child hashes ‖ value   (with a value)
//              bitmap = u16 big-endian, bit i set when child i is present; the child hashes
//              follow in ascending nibble order, 32 bytes each
//
// Structural canonicity (what the update algorithm maintains): an extension's child is a branch;
// a branch has at least one child and at least two entries counting its value. The decoder
// checks the local part (≥ 1 child, ≥ 2 entries) since it cannot see the child's kind.
import { HASH_LENGTH, hash } from "../../primitives/hash.ts";
import { StateError } from "../errors.ts";
import type { Nibbles } from "./nibbles.ts";

export const NodeTag = {
  empty: 0x00,
  leaf: 0x01,
  extension: 0x02,
  branch: 0x03,
  branchWithValue: 0x04,
} as const;

export type TrieNode =
  | { kind: "empty" }
  | { kind: "leaf"; path: Nibbles; value: Uint8Array }
  | { kind: "extension"; path: Nibbles; child: Uint8Array }
  | { kind: "branch"; children: (Uint8Array | undefined)[]; value: Uint8Array | undefined };

export const EMPTY_NODE_ENCODING: Uint8Array = Uint8Array.of(NodeTag.empty);

/** The root of the trie with no keys. */
export const EMPTY_ROOT: Uint8Array = hash(EMPTY_NODE_ENCODING);

class Writer {
  #buf = new Uint8Array(64);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  varint(n: number): void {
    let v = n >>> 0;
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.byte(v);
  }

  path(p: Nibbles): void {
    this.varint(p.length);
    for (let i = 0; i < p.length; i += 2) this.byte((p[i]! << 4) | (p[i + 1] ?? 0));
  }

  value(v: Uint8Array): void {
    this.varint(v.length);
    this.bytes(v);
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

export function encodeNode(node: TrieNode): Uint8Array {
  const w = new Writer();
  switch (node.kind) {
    case "empty":
      w.byte(NodeTag.empty);
      break;
    case "leaf":
      w.byte(NodeTag.leaf);
      w.path(node.path);
      w.value(node.value);
      break;
    case "extension":
      w.byte(NodeTag.extension);
      w.path(node.path);
      w.bytes(node.child);
      break;
    case "branch": {
      w.byte(node.value === undefined ? NodeTag.branch : NodeTag.branchWithValue);
      let bitmap = 0;
      node.children.forEach((c, i) => {
        if (c !== undefined) bitmap |= 1 << i;
      });
      w.byte(bitmap >> 8);
      w.byte(bitmap & 0xff);
      for (const c of node.children) if (c !== undefined) w.bytes(c);
      if (node.value !== undefined) w.value(node.value);
      break;
    }
  }
  return w.finish();
}

function invalid(reason: string): never {
  throw new StateError("INVALID_TRIE_NODE", `invalid trie node: ${reason}`);
}

class Reader {
  readonly #b: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#b = bytes;
  }

  byte(): number {
    if (this.#at >= this.#b.length) invalid("truncated");
    return this.#b[this.#at++]!;
  }

  bytes(n: number): Uint8Array {
    if (this.#at + n > this.#b.length) invalid("truncated");
    const out = this.#b.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  varint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      if (shift === 28 && b > 0x0f) invalid("varint above 2^32");
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (b === 0 && shift > 0) invalid("non-minimal varint");
        return result;
      }
    }
    return invalid("varint too long");
  }

  path(): Nibbles {
    const n = this.varint();
    const packed = this.bytes(Math.ceil(n / 2));
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const byte = packed[i >> 1]!;
      out[i] = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    }
    if (n % 2 === 1 && (packed[packed.length - 1]! & 0x0f) !== 0) invalid("non-zero padding");
    return out;
  }

  value(): Uint8Array {
    return this.bytes(this.varint());
  }

  end(): void {
    if (this.#at !== this.#b.length) invalid("trailing bytes");
  }
}

export function decodeNode(bytes: Uint8Array): TrieNode {
  const r = new Reader(bytes);
  const tag = r.byte();
  let node: TrieNode;
  switch (tag) {
    case NodeTag.empty:
      node = { kind: "empty" };
      break;
    case NodeTag.leaf:
      node = { kind: "leaf", path: r.path(), value: r.value() };
      break;
    case NodeTag.extension: {
      const path = r.path();
      if (path.length === 0) invalid("empty extension path");
      node = { kind: "extension", path, child: r.bytes(HASH_LENGTH) };
      break;
    }
    case NodeTag.branch:
    case NodeTag.branchWithValue: {
      const bitmap = (r.byte() << 8) | r.byte();
      const children: (Uint8Array | undefined)[] = [];
      let count = 0;
      for (let i = 0; i < 16; i++) {
        if (bitmap & (1 << i)) {
          children.push(r.bytes(HASH_LENGTH));
          count++;
        } else children.push(undefined);
      }
      const value = tag === NodeTag.branchWithValue ? r.value() : undefined;
      if (count === 0 || count + (value === undefined ? 0 : 1) < 2) invalid("degenerate branch");
      node = { kind: "branch", children, value };
      break;
    }
    default:
      return invalid(`unknown tag ${tag}`);
  }
  r.end();
  return node;
}
