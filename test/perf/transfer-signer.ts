// Signs Balances transfers for the benchmark's setup. runtime/signing.ts signs with @noble/curves
// (about 1,600 transactions/s on one core here), which would make setup dwarf the measurement;
// ed25519 signatures are deterministic (RFC 8032), so OpenSSL produces the very same bytes about 25×
// faster. The first transactions are cross-checked against signTransaction, so the
// two cannot drift apart unnoticed; the import then verifies every signature anyway.
import { createPrivateKey, type KeyObject, sign as opensslSign } from "node:crypto";
import { u128ToBytes } from "../../primitives/amount.ts";
import { bytesEqual } from "../../primitives/bytes.ts";
import { encodeExtrinsic, encodeSigningPayload } from "../../primitives/chain.ts";
import type { Keypair, SignedMessage } from "../../primitives/keys.ts";
import { RUNTIME_VERSION } from "../../runtime/runtime.ts";
import { encodeCall, signTransaction } from "../../runtime/signing.ts";

// DER PrivateKeyInfo header for an Ed25519 seed (RFC 8410); the 32 seed bytes follow.
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** How many transactions are cross-checked against signTransaction (noble is slow). */
const CROSS_CHECKED = 16;

export interface SignedTransfer {
  bytes: Uint8Array;
  /** What the import pipeline hands to the verifier for this transaction. */
  signed: SignedMessage;
}

export class TransferSigner {
  readonly #genesisHash: Uint8Array;
  readonly #keys = new Map<Keypair, KeyObject>();
  #checked = 0;

  constructor(genesisHash: Uint8Array) {
    this.#genesisHash = genesisHash;
  }

  /** An immortal, tip-free `Balances.transfer` of `value` planck from `from` to `dest`. */
  transfer(from: Keypair, nonce: number, dest: Uint8Array, value: bigint): SignedTransfer {
    const call = encodeCall("Balances.transfer", { dest, value: u128ToBytes(value) });
    const tip = u128ToBytes(0n);
    const message = encodeSigningPayload({
      call,
      nonce,
      era: null,
      tip,
      specVersion: RUNTIME_VERSION.specVersion,
      transactionVersion: RUNTIME_VERSION.transactionVersion,
      genesisHash: this.#genesisHash,
      eraBlockHash: this.#genesisHash,
    });
    const signature = new Uint8Array(opensslSign(null, message, this.#keyOf(from)));
    const bytes = encodeExtrinsic({
      signer: from.publicKey,
      signature,
      nonce,
      era: null,
      tip,
      call,
      specVersion: RUNTIME_VERSION.specVersion,
      chainTag: this.#genesisHash.subarray(0, 4),
    });
    if (this.#checked < CROSS_CHECKED) {
      this.#checked++;
      const reference = signTransaction({
        call,
        seed: from.secretKey,
        nonce,
        genesisHash: this.#genesisHash,
        era: null,
      });
      if (!bytesEqual(bytes, reference)) {
        throw new Error("the benchmark's OpenSSL signer disagrees with runtime/signing.ts");
      }
    }
    return { bytes, signed: { signature, message, publicKey: from.publicKey } };
  }

  #keyOf(from: Keypair): KeyObject {
    let key = this.#keys.get(from);
    if (key === undefined) {
      key = createPrivateKey({
        key: Buffer.concat([PKCS8_ED25519_PREFIX, from.secretKey]),
        format: "der",
        type: "pkcs8",
      });
      this.#keys.set(from, key);
    }
    return key;
  }
}
