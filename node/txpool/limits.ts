// Pool limits. Defaults are Substrate's `graph::Options::default()`; `limitsFromCli` derives them
// the way sc-cli does from `--pool-limit` and `--pool-kbytes` (future gets a tenth).

export interface QueueLimit {
  count: number;
  bytes: number;
}

export interface PoolLimits {
  ready: QueueLimit;
  future: QueueLimit;
}

export const DEFAULT_POOL_LIMITS: PoolLimits = {
  ready: { count: 8192, bytes: 20 * 1024 * 1024 },
  future: { count: 512, bytes: 1024 * 1024 },
};

/** A transaction larger than a block (Substrate's 4 MiB + 512 B cap) can never be included. */
export const DEFAULT_MAX_TRANSACTION_BYTES = 4 * 1024 * 1024 + 512;

export function limitsFromCli(poolLimit: number, poolKbytes: number): PoolLimits {
  const bytes = poolKbytes * 1024;
  return {
    ready: { count: poolLimit, bytes },
    future: { count: Math.floor(poolLimit / 10), bytes: Math.floor(bytes / 10) },
  };
}

export function exceeds(limit: QueueLimit, count: number, bytes: number): boolean {
  return count > limit.count || bytes > limit.bytes;
}
