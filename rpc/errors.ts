// The one table that turns the node's `LineageError` codes into the JSON-RPC errors a Substrate node
// would send for the same situation (codes, messages and `data` as in sc-rpc-api's author and state
// error modules and sp-runtime's InvalidTransaction strings). Clients such as polkadot-js match on
// these, so change a row only together with the Substrate source it mirrors.
import { CodecError, LineageError, PrimitiveError } from "../primitives/errors.ts";
import { internalError, invalidParams, RpcError } from "./jsonrpc.ts";

type ErrorMapping = (error: LineageError) => RpcError;

const INVALID_TRANSACTION = "Invalid Transaction";

function invalidTx(reason: string): ErrorMapping {
  return () => new RpcError(1010, INVALID_TRANSACTION, reason);
}

function fixed(code: number, message: string, data?: string): ErrorMapping {
  return () => new RpcError(code, message, data);
}

/** The node puts the custom validity number at the end of the message ("custom error 7" or "7"). */
function customValidity(error: LineageError): RpcError {
  const n = /(\d+)\s*$/.exec(error.message)?.[1] ?? "0";
  return new RpcError(1010, INVALID_TRANSACTION, `Custom error: ${n}`);
}

/** The node writes "old vs new" priorities into the message, e.g. "(10 vs 5)". */
function tooLowPriority(error: LineageError): RpcError {
  const m = /(\d+)\s*vs\.?\s*(\d+)/.exec(error.message);
  const message = m ? `Priority is too low: (${m[1]} vs ${m[2]})` : "Priority is too low";
  return new RpcError(
    1014,
    message,
    "The transaction has too low priority to replace another transaction already in the pool.",
  );
}

function firstHex(text: string): string | undefined {
  return /0x[0-9a-fA-F]+/.exec(text)?.[0];
}

/** Keyed by `LineageError.code`. Exported for the test that walks every row. */
export const LINEAGE_ERROR_TABLE: Readonly<Record<string, ErrorMapping>> = {
  // author (base 1000)
  TX_BAD_FORMAT: (e) => new RpcError(1001, `Extrinsic has invalid format: ${e.message}`),
  TX_VERIFICATION: (e) => new RpcError(1002, `Verification Error: ${e.message}`, e.message),
  TX_CALL: invalidTx("Transaction call is not expected"),
  TX_PAYMENT: invalidTx("Inability to pay some fees (e.g. account balance too low)"),
  TX_FUTURE: invalidTx("Transaction will be valid in the future"),
  TX_STALE: invalidTx("Transaction is outdated"),
  TX_BAD_PROOF: invalidTx("Transaction has a bad signature"),
  TX_ANCIENT_BIRTH: invalidTx("Transaction has an ancient birth block"),
  // Substrate reports an ended era as outdated (InvalidTransaction::Stale).
  TX_EXPIRED: invalidTx("Transaction is outdated"),
  // Substrate: 1011 UnknownTransaction::NoUnsignedValidator.
  TX_UNSIGNED: fixed(
    1011,
    "Unknown Transaction Validity",
    "Could not find an unsigned validator for the unsigned transaction",
  ),
  TX_EXHAUSTS_RESOURCES: invalidTx("Transaction would exhaust the block limits"),
  TX_BAD_MANDATORY: invalidTx("A call was labelled as mandatory, but resulted in an Error."),
  TX_MANDATORY_VALIDATION: invalidTx(
    "Transaction dispatch is mandatory; transactions must not be validated.",
  ),
  TX_BAD_SIGNER: invalidTx("Invalid signing address"),
  // Substrate folds these into BadProof (the genesis hash and spec version are signed); Lineage
  // checks them separately and says which one failed.
  TX_BAD_GENESIS: invalidTx("Transaction was signed for another chain (genesis hash mismatch)"),
  TX_BAD_SPEC_VERSION: invalidTx(
    "Transaction was signed for another runtime (spec version mismatch)",
  ),
  TX_CUSTOM: customValidity,
  TX_UNKNOWN: (e) => new RpcError(1011, "Unknown Transaction Validity", e.message),
  POOL_TEMPORARILY_BANNED: fixed(1012, "Transaction is temporarily banned"),
  POOL_ALREADY_IMPORTED: (e) =>
    new RpcError(1013, "Transaction Already Imported", firstHex(e.message) ?? e.message),
  POOL_TOO_LOW_PRIORITY: tooLowPriority,
  POOL_CYCLE_DETECTED: fixed(1015, "Cycle Detected"),
  POOL_IMMEDIATELY_DROPPED: fixed(
    1016,
    "Immediately Dropped",
    "The transaction couldn't enter the pool because of the limit",
  ),
  POOL_FULL: fixed(
    1016,
    "Immediately Dropped",
    "The transaction couldn't enter the pool because of the limit",
  ),
  POOL_UNACTIONABLE: fixed(
    1018,
    "Unactionable",
    "The transaction is unactionable since it is not propagable and the local node does not author blocks",
  ),
  POOL_NO_TAGS: fixed(
    1019,
    "No tags provided",
    "Transaction does not provide any tags, so the pool can't identify it",
  ),
  POOL_INVALID_BLOCK_ID: fixed(1020, "The provided block ID is not valid"),
  POOL_FUTURE_REJECTED: fixed(1021, "The pool is not accepting future transactions"),
  // system (base 2000)
  NODE_NOT_HEALTHY: (e) => new RpcError(2001, `Node is not fully functional: ${e.message}`),
  MALFORMED_PEER: (e) => new RpcError(2002, e.message),
  // state (base 4000): client errors are 4003 with sp-blockchain's wording.
  BLOCK_NOT_FOUND: (e) => new RpcError(4003, `Client error: UnknownBlock: ${e.message}`),
  UNKNOWN_BLOCK: (e) => new RpcError(4003, `Client error: UnknownBlock: ${e.message}`),
  STATE_DISCARDED: (e) =>
    new RpcError(
      4003,
      `Client error: State already discarded for ${firstHex(e.message) ?? e.message}`,
    ),
  INVALID_COUNT: (e) => new RpcError(4002, e.message),
  // payment_* (pallet-transaction-payment-rpc)
  PAYMENT_RUNTIME_ERROR: (e) => new RpcError(1, "Unable to query dispatch info.", e.message),
  PAYMENT_DECODE_ERROR: (e) => new RpcError(2, "Unable to query dispatch info.", e.message),
  // attestation_measured: no URI revealed for the final root served its report. A JSON-RPC
  // server error: neither the caller's mistake nor the node's, and worth no log line.
  ATTEST_FETCH: (e) => new RpcError(-32000, "Report unavailable", e.message),
  // Malformed input the node noticed after the schema check passed: the caller's mistake.
  INVALID_HEX: (e) => invalidParams(e.message),
  INVALID_SS58: (e) => invalidParams(e.message),
  INVALID_LENGTH: (e) => invalidParams(e.message),
  INVALID_PARAMS: (e) => invalidParams(e.message),
  KEY_MISMATCH: (e) => invalidParams(e.message),
  INVALID_KEY_TYPE: (e) => invalidParams(e.message),
};

export interface RpcErrorReport {
  error: RpcError;
  /** True when the error was not one the table knows: worth a log line on the node. */
  unexpected: boolean;
}

/** Maps whatever a handler threw to the error that goes on the wire. */
export function toRpcError(error: unknown): RpcErrorReport {
  if (error instanceof RpcError) return { error, unexpected: false };
  if (error instanceof LineageError) {
    const mapping = LINEAGE_ERROR_TABLE[error.code];
    if (mapping) return { error: mapping(error), unexpected: false };
    // Bytes or values that failed to decode are bad input, whatever their precise code.
    if (error instanceof CodecError || error instanceof PrimitiveError) {
      return { error: invalidParams(error.message), unexpected: false };
    }
    return { error: internalError(`${error.code}: ${error.message}`), unexpected: true };
  }
  return { error: internalError(), unexpected: true };
}

/**
 * author_* and payment_* decode an extrinsic: a codec failure there is Substrate's 1001 (or payment's
 * 2), not a generic invalid-params error.
 */
export function extrinsicDecodeError(error: unknown, kind: "author" | "payment"): unknown {
  if (!(error instanceof CodecError)) return error;
  return kind === "author"
    ? new RpcError(1001, `Extrinsic has invalid format: ${error.message}`)
    : new RpcError(2, "Unable to query dispatch info.", error.message);
}
