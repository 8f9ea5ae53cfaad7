// The database's key space. Every key starts with one bucket byte; numbers inside keys are
// big-endian so that LevelDB's byte order is numeric order. A retired prefix is never reused
// (a new layout gets a new byte and a schema-version bump), so old data can never be misread.
//
// | byte | bucket          | key after the prefix        | value                                  |
// | ---- | --------------- | --------------------------- | -------------------------------------- |
// | 0x00 | meta            | 1-byte MetaKey              | see MetaKey                            |
// | 0x01 | trieNode        | node hash (32)              | node encoding (trie/node-codec.ts)     |
// | 0x02 | trieNodeRefs    | node hash (32)              | u32be reference count (pruning mode)   |
// | 0x03 | header          | block hash (32)             | encoded header (opaque here)           |
// | 0x04 | body            | block hash (32)             | encoded body (opaque here)             |
// | 0x05 | blockMeta       | block hash (32)             | u64be number ‖ parent (32) ‖ root (32) |
// | 0x06 | canonical       | u64be number                | block hash (32)                        |
// | 0x07 | justification   | block hash (32)             | justification bytes (opaque here)      |
// | 0x08 | blockAtHeight   | u64be number ‖ hash (32)    | empty (finds fork blocks per height)   |
// | 0x09 | pruningJournal  | block hash (32)             | u32be n ‖ n inserted hashes ‖ u32be m ‖ m removed hashes |
export const Bucket = {
  meta: 0x00,
  trieNode: 0x01,
  trieNodeRefs: 0x02,
  header: 0x03,
  body: 0x04,
  blockMeta: 0x05,
  canonical: 0x06,
  justification: 0x07,
  blockAtHeight: 0x08,
  pruningJournal: 0x09,
} as const;

export type Bucket = (typeof Bucket)[keyof typeof Bucket];

/** Keys inside the meta bucket. */
export const MetaKey = {
  /** u32be: the on-disk format version (SCHEMA_VERSION). */
  schemaVersion: 0x01,
  /** 32 bytes: the genesis block hash; a node refuses a database of another chain. */
  genesisHash: 0x02,
  /** 32 bytes: the best block hash. */
  best: 0x03,
  /** 32 bytes: the last finalized block hash. */
  finalized: 0x04,
  /** 0x00 = archive, 0x01 ‖ u32be N = keep the last N finalized states. Chosen at creation. */
  pruningMode: 0x05,
  /** u64be: highest canonical block whose `removed` journal has been applied. */
  prunedThrough: 0x06,
} as const;

export type MetaKey = (typeof MetaKey)[keyof typeof MetaKey];

/** Bumped whenever the layout above changes incompatibly. */
export const SCHEMA_VERSION = 1;
