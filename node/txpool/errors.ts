// Pool errors. The codes are stable public surface; the RPC layer maps them to Substrate's
// author error numbers, which `POOL_RPC_CODES` records so that the mapping lives beside the codes.
import { LineageError } from "../../primitives/errors.ts";

export const PoolErrorCode = {
  TEMPORARILY_BANNED: "POOL_TEMPORARILY_BANNED",
  ALREADY_IMPORTED: "POOL_ALREADY_IMPORTED",
  TOO_LOW_PRIORITY: "POOL_TOO_LOW_PRIORITY",
  CYCLE_DETECTED: "POOL_CYCLE_DETECTED",
  IMMEDIATELY_DROPPED: "POOL_IMMEDIATELY_DROPPED",
  NO_TAGS_PROVIDED: "POOL_NO_TAGS_PROVIDED",
  TOO_LARGE: "POOL_TOO_LARGE",
} as const;

export type PoolErrorCode = (typeof PoolErrorCode)[keyof typeof PoolErrorCode];

/** Substrate's JSON-RPC error numbers (author module, base 1000). An oversized transaction is
 * reported like the runtime's "would exhaust the block limits" (1010). */
export const POOL_RPC_CODES: Record<PoolErrorCode, number> = {
  POOL_TOO_LARGE: 1010,
  POOL_TEMPORARILY_BANNED: 1012,
  POOL_ALREADY_IMPORTED: 1013,
  POOL_TOO_LOW_PRIORITY: 1014,
  POOL_CYCLE_DETECTED: 1015,
  POOL_IMMEDIATELY_DROPPED: 1016,
  POOL_NO_TAGS_PROVIDED: 1019,
};

export class PoolError extends LineageError {
  constructor(code: PoolErrorCode, message: string) {
    super(code, message);
  }
}

/** Runtime verdicts that mean "invalid" (banned), as opposed to "could not tell" (not banned). */
export function isInvalidTransactionError(error: unknown): error is LineageError {
  return (
    error instanceof LineageError &&
    error.code.startsWith("TX_") &&
    !error.code.startsWith("TX_UNKNOWN")
  );
}
