// The transaction pool: runtime-independent admission, ordering and maintenance of transactions.

export {
  isInvalidTransactionError,
  POOL_RPC_CODES,
  PoolError,
  PoolErrorCode,
} from "./errors.ts";
export {
  DEFAULT_MAX_TRANSACTION_BYTES,
  DEFAULT_POOL_LIMITS,
  limitsFromCli,
  type PoolLimits,
  type QueueLimit,
} from "./limits.ts";
export {
  DEFAULT_BAN_LIST_CAPACITY,
  DEFAULT_BAN_TIME_SECONDS,
  DEFAULT_FINALITY_TIMEOUT_BLOCKS,
  DEFAULT_PRUNED_TAGS_BLOCKS,
  TransactionPool,
  type TransactionPoolOptions,
} from "./pool.ts";
export type {
  BlockRef,
  ImportedBlock,
  PooledTransaction,
  PoolStatus,
  RetractedBlock,
  TransactionSource,
  ValidateTransaction,
  ValidTransaction,
} from "./types.ts";
export type { TransactionStatusListener } from "./watchers.ts";
export { isTerminalStatus } from "./watchers.ts";
