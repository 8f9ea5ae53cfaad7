import { LineageError } from "../primitives/errors.ts";

/**
 * Why a block was refused. Codes: UNDECODABLE, UNKNOWN_PARENT, BAD_NUMBER, ALREADY_KNOWN,
 * MISSING_SLOT, SLOT_NOT_INCREASING, FUTURE_SLOT, UNSEALED, WRONG_AUTHOR, BAD_SEAL, BAD_SIGNATURE,
 * BAD_EXTRINSICS_ROOT, INVALID_EXTRINSIC, EXECUTION_FAILED, STATE_ROOT_MISMATCH,
 * BELOW_FINALIZED, TIMESTAMP_IN_FUTURE. The code decides a network peer's penalty later.
 */
export class BlockError extends LineageError {}

/** A finality vote or justification that does not check out. */
export class FinalityError extends LineageError {}
