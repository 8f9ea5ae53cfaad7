// Every bucket of the chain database as a typed repository (see buckets.ts for the table).
import type { Kv } from "../kv.ts";
import type { NodeCacheLimits } from "../trie/node-cache.ts";
import { Bucket } from "./buckets.ts";
import {
  type BlockMeta,
  blockMetaCodec,
  bytesCodec,
  emptyCodec,
  type HeightKey,
  hashCodec,
  heightKeyCodec,
  journalCodec,
  numberCodec,
  type PruningJournal,
} from "./codecs.ts";
import { MetaRepository } from "./meta-repository.ts";
import { Repository } from "./repository.ts";
import { TrieNodeStore } from "./trie-node-store.ts";

export interface ChainRepositories {
  meta: MetaRepository;
  trieNodes: TrieNodeStore;
  headers: Repository<Uint8Array, Uint8Array>;
  bodies: Repository<Uint8Array, Uint8Array>;
  blockMeta: Repository<Uint8Array, BlockMeta>;
  canonical: Repository<number, Uint8Array>;
  justifications: Repository<Uint8Array, Uint8Array>;
  blockAtHeight: Repository<HeightKey, true>;
  journals: Repository<Uint8Array, PruningJournal>;
}

export function chainRepositories(
  kv: Kv,
  cacheLimits: Partial<NodeCacheLimits> = {},
): ChainRepositories {
  return {
    meta: new MetaRepository(kv),
    trieNodes: new TrieNodeStore(kv, cacheLimits),
    headers: new Repository(kv, Bucket.header, hashCodec, bytesCodec),
    bodies: new Repository(kv, Bucket.body, hashCodec, bytesCodec),
    blockMeta: new Repository(kv, Bucket.blockMeta, hashCodec, blockMetaCodec),
    canonical: new Repository(kv, Bucket.canonical, numberCodec, hashCodec),
    justifications: new Repository(kv, Bucket.justification, hashCodec, bytesCodec),
    blockAtHeight: new Repository(kv, Bucket.blockAtHeight, heightKeyCodec, emptyCodec),
    journals: new Repository(kv, Bucket.pruningJournal, hashCodec, journalCodec),
  };
}
