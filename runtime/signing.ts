// Building signed transactions: what a wallet, the tests and the simulator use.
import { u128ToBytes } from "../primitives/amount.ts";
import { type Call, type Era, encodeExtrinsic, encodeSigningPayload } from "../primitives/chain.ts";
import { encodeMessage } from "../primitives/codec.ts";
import { keypairFromSeed, sign } from "../primitives/keys.ts";
import { TransactionError } from "./errors.ts";
import { callByName, RUNTIME_VERSION, type RuntimeVersion } from "./runtime.ts";

/** Encodes a call by name, e.g. `encodeCall("Balances.transfer", { dest, value })`. */
export function encodeCall(name: string, args: object): Call {
  const resolved = callByName(name);
  if (!resolved) throw new TransactionError("TX_CALL", `unknown call ${name}`);
  return {
    pallet: resolved.pallet.index,
    call: resolved.def.index,
    args: encodeMessage(resolved.def.args, args),
  };
}

export interface SignOptions {
  call: Call;
  seed: Uint8Array;
  nonce: number;
  genesisHash: Uint8Array;
  /** Mortal transactions name their birth block; its hash is signed. Null: immortal. */
  era: (Era & { birthHash: Uint8Array }) | null;
  tip?: bigint;
  version?: RuntimeVersion;
}

export function signTransaction(options: SignOptions): Uint8Array {
  const version = options.version ?? RUNTIME_VERSION;
  const tip = u128ToBytes(options.tip ?? 0n);
  const era = options.era ? { period: options.era.period, birth: options.era.birth } : null;
  const payload = encodeSigningPayload({
    call: options.call,
    nonce: options.nonce,
    era,
    tip,
    specVersion: version.specVersion,
    transactionVersion: version.transactionVersion,
    genesisHash: options.genesisHash,
    eraBlockHash: options.era ? options.era.birthHash : options.genesisHash,
  });
  return encodeExtrinsic({
    signer: keypairFromSeed(options.seed).publicKey,
    signature: sign(options.seed, payload),
    nonce: options.nonce,
    era,
    tip,
    call: options.call,
    specVersion: version.specVersion,
    chainTag: options.genesisHash.subarray(0, 4),
  });
}

/** An unsigned inherent extrinsic. */
export function inherent(call: Call): Uint8Array {
  return encodeExtrinsic({
    signer: new Uint8Array(),
    signature: new Uint8Array(),
    nonce: 0,
    era: null,
    tip: new Uint8Array(),
    call,
    specVersion: 0,
    chainTag: new Uint8Array(),
  });
}
