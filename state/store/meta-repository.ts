// The meta bucket: a handful of singletons, each with its own value type.
import type { Kv, KvOp } from "../kv.ts";
import { Bucket, MetaKey } from "./buckets.ts";
import {
  type Codec,
  hashCodec,
  numberCodec,
  type PruningMode,
  pruningModeCodec,
  u32Codec,
} from "./codecs.ts";
import { Repository } from "./repository.ts";

const metaKeyCodec: Codec<MetaKey> = {
  encode: (k) => Uint8Array.of(k),
  decode: (b) => b[0] as MetaKey,
};

export class MetaRepository {
  readonly #raw: Repository<MetaKey, Uint8Array>;

  constructor(kv: Kv) {
    this.#raw = new Repository(kv, Bucket.meta, metaKeyCodec, {
      encode: (v) => v,
      decode: (b) => b,
    });
  }

  #get<T>(key: MetaKey, codec: Codec<T>): T | undefined {
    const raw = this.#raw.get(key);
    return raw === undefined ? undefined : codec.decode(raw);
  }

  #put<T>(key: MetaKey, codec: Codec<T>, value: T): KvOp {
    return this.#raw.put(key, codec.encode(value));
  }

  schemaVersion = (): number | undefined => this.#get(MetaKey.schemaVersion, u32Codec);
  putSchemaVersion = (v: number): KvOp => this.#put(MetaKey.schemaVersion, u32Codec, v);

  genesisHash = (): Uint8Array | undefined => this.#get(MetaKey.genesisHash, hashCodec);
  putGenesisHash = (h: Uint8Array): KvOp => this.#put(MetaKey.genesisHash, hashCodec, h);

  best = (): Uint8Array | undefined => this.#get(MetaKey.best, hashCodec);
  putBest = (h: Uint8Array): KvOp => this.#put(MetaKey.best, hashCodec, h);

  finalized = (): Uint8Array | undefined => this.#get(MetaKey.finalized, hashCodec);
  putFinalized = (h: Uint8Array): KvOp => this.#put(MetaKey.finalized, hashCodec, h);

  pruningMode = (): PruningMode | undefined => this.#get(MetaKey.pruningMode, pruningModeCodec);
  putPruningMode = (m: PruningMode): KvOp => this.#put(MetaKey.pruningMode, pruningModeCodec, m);

  prunedThrough = (): number | undefined => this.#get(MetaKey.prunedThrough, numberCodec);
  putPrunedThrough = (n: number): KvOp => this.#put(MetaKey.prunedThrough, numberCodec, n);
}
