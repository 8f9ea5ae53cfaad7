// Typed encode/decode for repository keys and values: the only place raw key bytes are built.
import { concatBytes, readU64be, u32be, u64be } from "../../primitives/bytes.ts";
import { HASH_LENGTH } from "../../primitives/hash.ts";
import { StateError } from "../errors.ts";

export interface Codec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

function corrupt(what: string): never {
  throw new StateError("CORRUPT_DATABASE", `malformed ${what} in the database`);
}

export const bytesCodec: Codec<Uint8Array> = {
  encode: (v) => v,
  decode: (b) => b,
};

export const hashCodec: Codec<Uint8Array> = {
  encode(v) {
    if (v.length !== HASH_LENGTH) throw new StateError("INVALID_HASH", "expected a 32-byte hash");
    return v;
  },
  decode: (b) => (b.length === HASH_LENGTH ? b : corrupt("hash")),
};

/** Block numbers: u64 big-endian so iteration is numeric; JS numbers are safe to 2^53. */
export const numberCodec: Codec<number> = {
  encode: (n) => u64be(n),
  decode: (b) => Number(readU64be(b)),
};

export const u32Codec: Codec<number> = {
  encode: (n) => u32be(n),
  decode(b) {
    if (b.length !== 4) corrupt("u32");
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  },
};

export const emptyCodec: Codec<true> = {
  encode: () => new Uint8Array(0),
  decode: () => true,
};

export interface HeightKey {
  number: number;
  hash: Uint8Array;
}

export const heightKeyCodec: Codec<HeightKey> = {
  encode: (k) => concatBytes(u64be(k.number), hashCodec.encode(k.hash)),
  decode(b) {
    if (b.length !== 8 + HASH_LENGTH) corrupt("height key");
    return { number: Number(readU64be(b.subarray(0, 8))), hash: b.subarray(8) };
  },
};

export interface BlockMeta {
  number: number;
  parentHash: Uint8Array;
  stateRoot: Uint8Array;
}

export const blockMetaCodec: Codec<BlockMeta> = {
  encode: (m) =>
    concatBytes(u64be(m.number), hashCodec.encode(m.parentHash), hashCodec.encode(m.stateRoot)),
  decode(b) {
    if (b.length !== 8 + 2 * HASH_LENGTH) corrupt("block meta");
    return {
      number: Number(readU64be(b.subarray(0, 8))),
      parentHash: b.subarray(8, 8 + HASH_LENGTH),
      stateRoot: b.subarray(8 + HASH_LENGTH),
    };
  },
};

/** What one block did to the trie's reference counts, kept until pruning has used it. */
export interface PruningJournal {
  inserted: Uint8Array[];
  removed: Uint8Array[];
}

function encodeHashList(list: Uint8Array[]): Uint8Array {
  return concatBytes(u32be(list.length), ...list.map((h) => hashCodec.encode(h)));
}

export const journalCodec: Codec<PruningJournal> = {
  encode: (j) => concatBytes(encodeHashList(j.inserted), encodeHashList(j.removed)),
  decode(b) {
    let at = 0;
    const list = (): Uint8Array[] => {
      if (at + 4 > b.length) corrupt("pruning journal");
      const n = u32Codec.decode(b.subarray(at, at + 4));
      at += 4;
      if (at + n * HASH_LENGTH > b.length) corrupt("pruning journal");
      const out: Uint8Array[] = [];
      for (let i = 0; i < n; i++, at += HASH_LENGTH) out.push(b.subarray(at, at + HASH_LENGTH));
      return out;
    };
    const inserted = list();
    const removed = list();
    if (at !== b.length) corrupt("pruning journal");
    return { inserted, removed };
  },
};

export type PruningMode = "archive" | { keep: number };

export const pruningModeCodec: Codec<PruningMode> = {
  encode: (m) =>
    m === "archive" ? Uint8Array.of(0) : concatBytes(Uint8Array.of(1), u32be(m.keep)),
  decode(b) {
    if (b.length === 1 && b[0] === 0) return "archive";
    if (b.length === 5 && b[0] === 1) return { keep: u32Codec.decode(b.subarray(1)) };
    return corrupt("pruning mode");
  },
};
