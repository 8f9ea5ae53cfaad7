// One repository per bucket: typed keys and values in, prefixed bytes out. Reads are synchronous;
// writes are returned as batch operations so that callers compose one atomic batch per event.
import { concatBytes } from "../../primitives/bytes.ts";
import type { Kv, KvOp } from "../kv.ts";
import type { Bucket } from "./buckets.ts";
import type { Codec } from "./codecs.ts";

export class Repository<K, V> {
  readonly #kv: Kv;
  readonly #prefix: Uint8Array;
  readonly #key: Codec<K>;
  readonly #value: Codec<V>;

  constructor(kv: Kv, bucket: Bucket, key: Codec<K>, value: Codec<V>) {
    this.#kv = kv;
    this.#prefix = Uint8Array.of(bucket);
    this.#key = key;
    this.#value = value;
  }

  #dbKey(key: K): Uint8Array {
    return concatBytes(this.#prefix, this.#key.encode(key));
  }

  get(key: K): V | undefined {
    const raw = this.#kv.getSync(this.#dbKey(key));
    return raw === undefined ? undefined : this.#value.decode(raw);
  }

  has(key: K): boolean {
    return this.#kv.getSync(this.#dbKey(key)) !== undefined;
  }

  put(key: K, value: V): KvOp {
    return { type: "put", key: this.#dbKey(key), value: this.#value.encode(value) };
  }

  del(key: K): KvOp {
    return { type: "del", key: this.#dbKey(key) };
  }

  /** Entries in key order, from `from` (inclusive) if given. */
  async *entries(from?: K): AsyncGenerator<[K, V]> {
    const range =
      from === undefined
        ? { prefix: this.#prefix }
        : { gte: this.#dbKey(from), lt: Uint8Array.of(this.#prefix[0]! + 1) };
    for await (const [k, v] of this.#kv.entries(range)) {
      yield [this.#key.decode(k.subarray(1)), this.#value.decode(v)];
    }
  }

  async count(): Promise<number> {
    let n = 0;
    for await (const _ of this.#kv.keys({ prefix: this.#prefix })) n++;
    return n;
  }
}
