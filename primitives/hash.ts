// The one hash of the chain. Everything hashes through here so that a faster implementation can
// replace blake2b if the benchmark shows hashing dominates.
import { blake2b } from "@noble/hashes/blake2.js";

export const HASH_LENGTH = 32;

export function blake2b256(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 32 });
}

export function blake2b128(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 16 });
}

export function blake2b512(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 64 });
}

/** The chain's hash: block hashes, extrinsic hashes, trie node hashes. */
export const hash = blake2b256;
