import { LineageError } from "../primitives/errors.ts";

/**
 * A call that failed in a pallet: `code` is `<Pallet>.<Error>`, e.g. "Balances.InsufficientBalance".
 * The extrinsic still pays its fee; the call's writes are rolled back.
 */
export class DispatchError extends LineageError {
  readonly pallet: string;
  readonly error: string;
  constructor(pallet: string, error: string, message: string) {
    super(`${pallet}.${error}`, message);
    this.pallet = pallet;
    this.error = error;
  }
}

/**
 * Why a transaction cannot be included at all (Substrate's TransactionValidityError). Codes:
 * TX_BAD_FORMAT, TX_CALL, TX_BAD_PROOF, TX_STALE, TX_FUTURE, TX_PAYMENT, TX_ANCIENT_BIRTH,
 * TX_EXHAUSTS_RESOURCES, TX_BAD_GENESIS, TX_BAD_SPEC_VERSION, TX_BAD_MANDATORY, TX_UNSIGNED, TX_EXPIRED.
 */
export class TransactionError extends LineageError {}

/** The chain spec or genesis configuration is unusable. */
export class ChainSpecError extends LineageError {}

/** A runtime invariant (try-state check) does not hold: a bug, never a user error. */
export class InvariantError extends LineageError {}

/** A block that cannot be executed: wrong slot digest, failed inherent, invalid extrinsic. */
export class BlockExecutionError extends LineageError {}
