// Typed storage items. Keys are `hash128(pallet) ‖ hash128(item) ‖ hasher(key)` so that every item
// (and every map) is a contiguous key range that can be iterated by prefix.
import { u128FromBytes, u128ToBytes } from "../primitives/amount.ts";
import { concatBytes, readU64be, u32be, u64be, utf8 } from "../primitives/bytes.ts";
import { decodeMessage, encodeMessage, type MessageType } from "../primitives/codec.ts";
import { CodecError } from "../primitives/errors.ts";
import { blake2b128 } from "../primitives/hash.ts";

/** What the runtime reads and writes through: an overlay with nested transactions. */
export interface RuntimeStorage {
  get(key: Uint8Array): Uint8Array | undefined;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /**
   * (key, value) pairs under a prefix in key order, overlay writes included; with `startAfter`,
   * only keys greater than it (a cursor for work spread over several blocks).
   */
  entries(prefix: Uint8Array, startAfter?: Uint8Array): Iterable<[Uint8Array, Uint8Array]>;
  startTransaction(): void;
  commitTransaction(): void;
  rollbackTransaction(): void;
}

/** Read-only access: enough for queries against a committed state (RPC, consensus). */
export type StorageRead = Pick<RuntimeStorage, "get">;
export type StorageScan = Pick<RuntimeStorage, "get" | "entries">;

export interface ValueCodec<T> {
  /** Type name for the metadata. */
  readonly type: string;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

const MAX_STORED_VALUE = 16 * 1024 * 1024;

export const u32Value: ValueCodec<number> = {
  type: "u32",
  encode: (v) => u32be(v),
  decode: (b) => {
    if (b.length !== 4) throw new CodecError("INVALID_LENGTH", "u32 must be 4 bytes");
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  },
};

export const u64Value: ValueCodec<number> = {
  type: "u64",
  encode: (v) => u64be(v),
  decode: (b) => Number(readU64be(b)),
};

export const u128Value: ValueCodec<bigint> = {
  type: "u128",
  encode: (v) => {
    const out = new Uint8Array(16);
    const view = new DataView(out.buffer);
    view.setBigUint64(0, v >> 64n);
    view.setBigUint64(8, v & 0xffff_ffff_ffff_ffffn);
    return out;
  },
  decode: (b) => {
    if (b.length !== 16) throw new CodecError("INVALID_LENGTH", "u128 must be 16 bytes");
    const view = new DataView(b.buffer, b.byteOffset, 16);
    return (view.getBigUint64(0) << 64n) | view.getBigUint64(8);
  },
};

export const bytesValue: ValueCodec<Uint8Array> = {
  type: "bytes",
  encode: (v) => v,
  decode: (b) => b,
};

/** Raw key bytes built from several big-endian fields; `type` names them for the metadata. */
export const compositeKey = (type: string): ValueCodec<Uint8Array> => ({ ...bytesValue, type });

/** The value of index entries, which carry none: a fixed marker keeps them distinct from absence. */
export const MARKER_VALUE = 0;

export const stringValue: ValueCodec<string> = {
  type: "string",
  encode: (v) => utf8(v),
  decode: (b) => new TextDecoder("utf-8", { fatal: true }).decode(b),
};

export function messageValue<T extends object>(type: MessageType): ValueCodec<T> {
  return {
    type: type.fullName.replace(/^\./, ""),
    encode: (v) => encodeMessage(type, v),
    decode: (b) => decodeMessage<T>(type, b, MAX_STORED_VALUE),
  };
}

/**
 * A protobuf message value whose named bigint fields travel as u128 bytes (minimal big-endian);
 * `wire` adapts the rest (e.g. nullable fields) on the way out and back.
 */
export function messageWithAmounts<R extends object>(
  type: MessageType,
  amounts: readonly (keyof R)[],
  wire: {
    out?: (fields: Record<string, unknown>) => void;
    back?: (fields: Record<string, unknown>) => void;
  } = {},
): ValueCodec<R> {
  const inner = messageValue<Record<string, unknown>>(type);
  return {
    type: inner.type,
    encode(value) {
      const fields = { ...value } as Record<string, unknown>;
      for (const k of amounts) fields[k as string] = u128ToBytes(value[k] as bigint);
      wire.out?.(fields);
      return inner.encode(fields);
    },
    decode(bytes) {
      const fields = inner.decode(bytes);
      for (const k of amounts)
        fields[k as string] = u128FromBytes(fields[k as string] as Uint8Array);
      wire.back?.(fields);
      return fields as R;
    },
  };
}

/**
 * Up to `limit` (key after `prefix`, value) pairs under `prefix` in key order, starting after the
 * key `prefix ‖ after` when `after` is given: one page of a walk that resumes from a cursor.
 */
export function rangeAfter(
  s: StorageScan,
  prefix: Uint8Array,
  after: Uint8Array | null,
  limit: number,
): [Uint8Array, Uint8Array][] {
  const start = after ? concatBytes(prefix, after) : undefined;
  const out: [Uint8Array, Uint8Array][] = [];
  if (limit <= 0) return out;
  for (const [key, value] of s.entries(prefix, start)) {
    out.push([key.slice(prefix.length), value]);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Deletes up to `limit` keys under `prefix`, in key order; returns how many it deleted (fewer than
 * `limit`: none is left).
 */
export function clearRange(s: RuntimeStorage, prefix: Uint8Array, limit: number): number {
  const doomed: Uint8Array[] = [];
  for (const [key] of s.entries(prefix)) {
    if (doomed.length >= limit) break;
    doomed.push(key);
  }
  for (const key of doomed) s.delete(key);
  return doomed.length;
}

export const Hasher = {
  /** blake2b-128 of the key followed by the key: spreads keys and stays iterable. */
  blake2_128Concat: "blake2_128_concat",
  /** The key itself: only for keys that are already hashes or small numbers. */
  identity: "identity",
} as const;
export type Hasher = (typeof Hasher)[keyof typeof Hasher];

function applyHasher(hasher: Hasher, key: Uint8Array): Uint8Array {
  return hasher === Hasher.identity ? key : concatBytes(blake2b128(key), key);
}

/** The key bytes after the hasher's own prefix, for maps whose keys must be read back. */
function unhash(hasher: Hasher, hashed: Uint8Array): Uint8Array {
  return hasher === Hasher.identity ? hashed : hashed.subarray(16);
}

export function itemPrefix(pallet: string, item: string): Uint8Array {
  return concatBytes(blake2b128(utf8(pallet)), blake2b128(utf8(item)));
}

/** Description of a storage item for the runtime metadata. */
export interface StorageItemInfo {
  name: string;
  kind: "value" | "map";
  key?: { type: string; hasher: Hasher };
  value: string;
  doc: string;
}

export interface StorageValue<T> {
  readonly info: StorageItemInfo;
  readonly key: Uint8Array;
  get(storage: StorageRead): T;
  getOptional(storage: StorageRead): T | undefined;
  set(storage: RuntimeStorage, value: T): void;
  kill(storage: RuntimeStorage): void;
}

export function storageValue<T>(
  pallet: string,
  name: string,
  codec: ValueCodec<T>,
  fallback: T,
  doc: string,
): StorageValue<T> {
  const key = itemPrefix(pallet, name);
  const getOptional = (storage: StorageRead) => {
    const raw = storage.get(key);
    return raw === undefined ? undefined : codec.decode(raw);
  };
  return {
    info: { name, kind: "value", value: codec.type, doc },
    key,
    getOptional,
    get: (storage) => getOptional(storage) ?? fallback,
    set: (storage, value) => storage.set(key, codec.encode(value)),
    kill: (storage) => storage.delete(key),
  };
}

export interface StorageMap<K, T> {
  readonly info: StorageItemInfo;
  readonly prefix: Uint8Array;
  key(k: K): Uint8Array;
  get(storage: StorageRead, k: K): T | undefined;
  has(storage: StorageRead, k: K): boolean;
  set(storage: RuntimeStorage, k: K, value: T): void;
  remove(storage: RuntimeStorage, k: K): void;
  /** Entries in key order (of the hashed key). */
  entries(storage: StorageScan): Iterable<[K, T]>;
}

export function storageMap<K, T>(
  pallet: string,
  name: string,
  keyCodec: ValueCodec<K>,
  valueCodec: ValueCodec<T>,
  hasher: Hasher,
  doc: string,
): StorageMap<K, T> {
  const prefix = itemPrefix(pallet, name);
  const key = (k: K) => concatBytes(prefix, applyHasher(hasher, keyCodec.encode(k)));
  return {
    info: { name, kind: "map", key: { type: keyCodec.type, hasher }, value: valueCodec.type, doc },
    prefix,
    key,
    get: (storage, k) => {
      const raw = storage.get(key(k));
      return raw === undefined ? undefined : valueCodec.decode(raw);
    },
    has: (storage, k) => storage.get(key(k)) !== undefined,
    set: (storage, k, value) => storage.set(key(k), valueCodec.encode(value)),
    remove: (storage, k) => storage.delete(key(k)),
    *entries(storage) {
      for (const [rawKey, rawValue] of storage.entries(prefix)) {
        const k = keyCodec.decode(unhash(hasher, rawKey.subarray(prefix.length)));
        yield [k, valueCodec.decode(rawValue)];
      }
    },
  };
}
