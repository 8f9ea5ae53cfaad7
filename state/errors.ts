// The state layer's one error type. Codes are stable (RPC and tests match on them):
// STATE_DISCARDED      the requested state was pruned (or never existed in this database)
// MISSING_TRIE_NODE    a trie walk reached a node the source does not hold
// INVALID_TRIE_NODE    bytes that are not a canonical node encoding
// INVALID_PROOF        a read proof that does not reach a conclusion for the key
// TRANSACTION_DEPTH    nested storage transactions beyond the configured limit
// NO_TRANSACTION       commit/rollback without an open transaction
// TRANSACTION_OPEN     changes requested while a transaction is still open
// UNKNOWN_BLOCK        a block hash the store does not hold
// UNKNOWN_PARENT       a block whose parent is not stored
// INVALID_BLOCK_NUMBER a block whose number is not its parent's plus one
// STATE_ROOT_MISMATCH  a commit whose trie update does not produce its state root
// BELOW_FINALIZED      a block at or below the finalized height that is not already final
// NOT_FINALIZABLE      finalizing a block that does not descend from the finalized block
// GENESIS_MISMATCH     the database belongs to another chain
// NO_GENESIS           a chain read before commitGenesis
// SCHEMA_MISMATCH      the database was written by an incompatible format version
// PRUNING_MODE_MISMATCH archive vs pruned differs from the mode chosen at creation
// REFCOUNT_UNDERFLOW   pruning would drop a trie node below zero references (a bug; nothing written)
// STORE_CLOSED         use of a closed database
// DATABASE_LOCKED      another process holds the database's lock
// DATABASE_OPEN_FAILED LevelDB would not open the database (its cause in the message)
// CORRUPT_DATABASE     stored bytes that do not decode (or a pointer to a missing block)
// INVALID_HASH         a key that should be a 32-byte hash is not
// INVALID_PRUNING      a pruning mode that is not "archive" or {keep: non-negative integer}
import { LineageError } from "../primitives/errors.ts";

export class StateError extends LineageError {}
