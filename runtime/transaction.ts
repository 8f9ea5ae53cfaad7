// Transaction validity: the checks a signed extrinsic must pass to enter the pool or a block.
// Outcomes follow Substrate's TransactionValidityError, each a TransactionError with a TX_* code.
import { u128FromBytes } from "../primitives/amount.ts";
import { bytesEqual, concatBytes, u64be } from "../primitives/bytes.ts";
import {
  type Call,
  decodeExtrinsic,
  type Extrinsic,
  encodeSigningPayload,
  isSigned,
} from "../primitives/chain.ts";
import { decodeMessage } from "../primitives/codec.ts";
import { AmountError, LineageError } from "../primitives/errors.ts";
import { TransactionError } from "./errors.ts";
import type { CallData, DispatchClass } from "./pallet.ts";
import { param } from "./pallets/params.ts";
import { BLOCK_HASH_COUNT, readAccount, storage as systemStorage } from "./pallets/system.ts";
import { computeFee, type FeeBreakdown } from "./pallets/transaction-payment.ts";
import { type ResolvedCall, type RuntimeVersion, resolveCall } from "./runtime.ts";
import type { StorageRead } from "./storage.ts";

const MAX_CALL_ARGS = 4 * 1024 * 1024;
const MAX_NESTED_CALLS = 4;

export interface ValidationEnv {
  /** The block the transaction would be included in. */
  blockNumber: number;
  /** Hash of that block's parent (its hash is not in the parent's state yet). */
  parentHash: Uint8Array;
  genesisHash: Uint8Array;
  version: RuntimeVersion;
}

export interface DecodedCall {
  resolved: ResolvedCall;
  args: unknown;
}

export interface CheckedTransaction {
  extrinsic: Extrinsic;
  call: DecodedCall;
  signer: Uint8Array;
  weight: bigint;
  dispatchClass: DispatchClass;
  length: number;
  fee: FeeBreakdown;
  priority: bigint;
  provides: Uint8Array[];
  requires: Uint8Array[];
  longevity: number;
  /** What the signature covers; the import pipeline verifies signatures in parallel. */
  signingPayload: Uint8Array;
}

export type SignatureCheck = (
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
) => boolean;

function invalid(code: string, message: string): TransactionError {
  return new TransactionError(code, message);
}

export function decodeCall(call: Call | CallData, depth = 0): DecodedCall {
  const resolved = resolveCall(call);
  if (!resolved) throw invalid("TX_CALL", `unknown call ${call.pallet}.${call.call}`);
  let args: unknown;
  try {
    args = decodeMessage(resolved.def.args, call.args, MAX_CALL_ARGS);
  } catch (cause) {
    const detail = cause instanceof LineageError ? cause.message : "undecodable";
    throw invalid(
      "TX_BAD_FORMAT",
      `${resolved.pallet.name}.${resolved.def.name} arguments: ${detail}`,
    );
  }
  // Nested calls (sudo) are decoded up front so that a bad inner call is refused, not dispatched.
  const inner = (args as { call?: Call }).call;
  if (inner) {
    if (depth >= MAX_NESTED_CALLS) throw invalid("TX_BAD_FORMAT", "calls nested too deeply");
    decodeCall(inner, depth + 1);
  }
  return { resolved, args };
}

/** Weight of a call including nested calls. */
export function weighCall(call: CallData): bigint {
  const { resolved, args } = decodeCall(call);
  return resolved.def.weight(args as never, weighCall);
}

export function decodeTransaction(bytes: Uint8Array): Extrinsic {
  try {
    return decodeExtrinsic(bytes);
  } catch (cause) {
    const detail = cause instanceof LineageError ? cause.message : "undecodable";
    throw invalid("TX_BAD_FORMAT", `extrinsic: ${detail}`);
  }
}

export function nonceTag(signer: Uint8Array, nonce: number): Uint8Array {
  return concatBytes(signer, u64be(nonce));
}

/** Mortality: refuses an ended era or an unknown birth block; gives the hash the signer signed. */
function checkEra(
  storage: StorageRead,
  extrinsic: Extrinsic,
  env: ValidationEnv,
): { eraBlockHash: Uint8Array; longevity: number } {
  const era = extrinsic.era;
  if (!era) return { eraBlockHash: env.genesisHash, longevity: Number.MAX_SAFE_INTEGER };
  const { period, birth } = era;
  if (period < 4 || period > BLOCK_HASH_COUNT || (period & (period - 1)) !== 0) {
    throw invalid("TX_BAD_FORMAT", `era period must be a power of two in [4, ${BLOCK_HASH_COUNT}]`);
  }
  if (env.blockNumber >= birth + period)
    throw invalid("TX_EXPIRED", "Transaction is outdated (its era has ended)");
  const hash = birth < env.blockNumber ? blockHashAt(storage, env, birth) : undefined;
  if (!hash) throw invalid("TX_ANCIENT_BIRTH", `unknown birth block #${birth}`);
  return { eraBlockHash: hash, longevity: birth + period - env.blockNumber };
}

export function signingPayloadOf(
  extrinsic: Extrinsic,
  env: ValidationEnv,
  eraBlockHash: Uint8Array,
): Uint8Array {
  return encodeSigningPayload({
    call: extrinsic.call,
    nonce: extrinsic.nonce,
    era: extrinsic.era,
    tip: extrinsic.tip,
    specVersion: env.version.specVersion,
    transactionVersion: env.version.transactionVersion,
    genesisHash: env.genesisHash,
    eraBlockHash,
  });
}

/**
 * The bytes a signed extrinsic's signature must cover, from the parent's state alone, so that a
 * block's signatures can be verified in parallel before it is executed.
 */
export function expectedSigningPayload(
  storage: StorageRead,
  extrinsic: Extrinsic,
  env: ValidationEnv,
): Uint8Array {
  return signingPayloadOf(extrinsic, env, checkEra(storage, extrinsic, env).eraBlockHash);
}

function blockHashAt(
  storage: StorageRead,
  env: ValidationEnv,
  number: number,
): Uint8Array | undefined {
  if (number === env.blockNumber - 1) return env.parentHash;
  return systemStorage.blockHash.get(storage, number);
}

/**
 * Checks a signed transaction against the state at `env.blockNumber - 1`.
 * `exactNonce`: in a block the nonce must be the account's next one; in the pool a later nonce is
 * valid and waits for its predecessor (`requires`). `verifySignature: null` skips the signature
 * check (the import pipeline has already verified it in parallel).
 */
export function checkTransaction(
  storage: StorageRead,
  bytes: Uint8Array,
  env: ValidationEnv,
  options: { exactNonce: boolean; verifySignature: SignatureCheck | null },
): CheckedTransaction {
  const extrinsic = decodeTransaction(bytes);
  if (!isSigned(extrinsic))
    throw invalid("TX_UNSIGNED", "unsigned extrinsics are inherents, put in by the block author");
  const call = decodeCall(extrinsic.call);
  const def = call.resolved.def;
  if (def.origin === "none") throw invalid("TX_BAD_MANDATORY", "inherent calls cannot be signed");
  if (extrinsic.specVersion !== env.version.specVersion) {
    throw invalid(
      "TX_BAD_SPEC_VERSION",
      `signed for spec version ${extrinsic.specVersion}, the runtime is ${env.version.specVersion}`,
    );
  }
  if (!bytesEqual(extrinsic.chainTag, env.genesisHash.subarray(0, 4))) {
    throw invalid("TX_BAD_GENESIS", "signed for another chain (genesis hash mismatch)");
  }

  const { eraBlockHash, longevity } = checkEra(storage, extrinsic, env);

  const signer = extrinsic.signer;
  const account = readAccount(storage, signer);
  if (extrinsic.nonce < account.nonce) throw invalid("TX_STALE", "Transaction is outdated");
  if (options.exactNonce && extrinsic.nonce > account.nonce) {
    throw invalid("TX_FUTURE", "Transaction will be valid in the future");
  }

  const weight = def.weight(call.args as never, weighCall);
  const length = bytes.length;
  if (
    weight > param(storage, "maxBlockWeight") ||
    BigInt(length) > param(storage, "maxBlockLength")
  ) {
    throw invalid("TX_EXHAUSTS_RESOURCES", "Transaction would exhaust the block limits");
  }
  const tip = u128FromBytes(extrinsic.tip);
  let fee: FeeBreakdown;
  try {
    fee = computeFee(storage, length, weight, tip);
  } catch (cause) {
    // A fee beyond u128 (an absurd tip) is one nobody can pay.
    if (!(cause instanceof AmountError)) throw cause;
    throw invalid("TX_PAYMENT", `Inability to pay some fees (${cause.message})`);
  }
  const ed = param(storage, "existentialDeposit");
  if (account.free < fee.total || (account.reserved === 0n && account.free - fee.total < ed)) {
    throw invalid("TX_PAYMENT", "Inability to pay some fees (e.g. account balance too low)");
  }

  const signingPayload = signingPayloadOf(extrinsic, env, eraBlockHash);
  if (
    options.verifySignature &&
    !options.verifySignature(extrinsic.signature, signingPayload, signer)
  ) {
    throw invalid("TX_BAD_PROOF", "Transaction has a bad signature");
  }

  const maxWeight = param(storage, "maxBlockWeight");
  const priority = (tip + 1n) * (maxWeight / (weight > 0n ? weight : 1n));
  return {
    extrinsic,
    call,
    signer,
    weight,
    dispatchClass: def.dispatchClass ?? "normal",
    length,
    fee,
    priority,
    provides: [nonceTag(signer, extrinsic.nonce)],
    requires: extrinsic.nonce > account.nonce ? [nonceTag(signer, extrinsic.nonce - 1)] : [],
    longevity,
    signingPayload,
  };
}
