// ed25519 keys and signatures. @noble/curves in strict RFC 8032 mode (`zip215: false`) is the
// definition of a valid signature on this chain; `verifyFast` is OpenSSL's faster path, made to accept
// exactly the same set (test/unit/primitives/ed25519-differential.test.ts proves it on adversarial inputs).
import { createPublicKey, type KeyObject, verify as opensslVerify } from "node:crypto";
import { ED25519_TORSION_SUBGROUP, ed25519 } from "@noble/curves/ed25519.js";
import { PrimitiveError } from "./errors.ts";

export const PUBLIC_KEY_LENGTH = 32;
export const SEED_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

/** `secretKey` is the 32-byte RFC 8032 seed, the form Substrate and the keystore store. */
export interface Keypair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface SignedMessage {
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function keypairFromSeed(seed: Uint8Array): Keypair {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_LENGTH) {
    throw new PrimitiveError("INVALID_SEED", `an ed25519 seed is ${SEED_LENGTH} bytes`);
  }
  const secretKey = Uint8Array.from(seed);
  return { publicKey: ed25519.getPublicKey(secretKey), secretKey };
}

export function generateKeypair(): Keypair {
  return keypairFromSeed(ed25519.utils.randomSecretKey());
}

export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_LENGTH) {
    throw new PrimitiveError("INVALID_SEED", `an ed25519 seed is ${SEED_LENGTH} bytes`);
  }
  return ed25519.sign(message, seed);
}

function hasValidShape(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return (
    signature instanceof Uint8Array &&
    message instanceof Uint8Array &&
    publicKey instanceof Uint8Array &&
    signature.length === SIGNATURE_LENGTH &&
    publicKey.length === PUBLIC_KEY_LENGTH
  );
}

/** The reference verifier: strict RFC 8032 (canonical S, A and R; small-order A rejected; cofactored). */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!hasValidShape(signature, message, publicKey)) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

// --- OpenSSL fast path -------------------------------------------------------------------------

// DER SubjectPublicKeyInfo header for an Ed25519 key (RFC 8410); the 32 raw key bytes follow.
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const KEY_CACHE_LIMIT = 1024;
// Map iteration order is insertion order, so re-inserting on a hit makes the first key the oldest.
const keyObjectCache = new Map<string, KeyObject>();

function keyObjectFor(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString(
    "hex",
  );
  const cached = keyObjectCache.get(id);
  if (cached !== undefined) {
    keyObjectCache.delete(id);
    keyObjectCache.set(id, cached);
    return cached;
  }
  const keyObject = createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
    format: "der",
    type: "spki",
  });
  if (keyObjectCache.size >= KEY_CACHE_LIMIT) {
    const oldest = keyObjectCache.keys().next().value;
    if (oldest !== undefined) keyObjectCache.delete(oldest);
  }
  keyObjectCache.set(id, keyObject);
  return keyObject;
}

// The strict rules below compare 32-byte little-endian encodings byte by byte, from the most
// significant end, because this runs for every signature and bigint conversion costs more than OpenSSL.
function littleEndian(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

const FIELD_PRIME_LE = littleEndian(2n ** 255n - 19n);
const GROUP_ORDER_LE = littleEndian(2n ** 252n + 27742317777372353535851937790883648493n);

/** a < b for 32-byte little-endian numbers; with `ignoreSignBit`, a's top bit (the x sign) is dropped. */
function lessThan(a: Uint8Array, b: Uint8Array, ignoreSignBit: boolean): boolean {
  for (let i = 31; i >= 0; i--) {
    const x = i === 31 && ignoreSignBit ? a[i]! & 0x7f : a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y;
  }
  return false;
}

// y coordinates of the eight points of order dividing 8 (noble's ED25519_TORSION_SUBGROUP). The
// torsion subgroup is closed under negation, so any decodable point with one of these y is small order
// whatever its sign bit, which also covers the "x = 0 with sign bit set" encodings.
const SMALL_ORDER_Y = ED25519_TORSION_SUBGROUP.map((hex) => {
  const y = Uint8Array.from(Buffer.from(hex, "hex"));
  y[31]! &= 0x7f;
  return y;
});

function hasSmallOrderY(point: Uint8Array): boolean {
  return SMALL_ORDER_Y.some((y) => {
    for (let i = 0; i < 31; i++) if (point[i] !== y[i]) return false;
    return (point[31]! & 0x7f) === y[31];
  });
}

/**
 * Rules of strict RFC 8032 that must hold before OpenSSL's answer can be trusted as noble's:
 * S < L, R and A encode y < p, and A is not small order. OpenSSL 3.x happens to enforce most of these
 * itself, but the chain's validity must not depend on the OpenSSL version Node was built with.
 */
function passesStrictEncodingRules(signature: Uint8Array, publicKey: Uint8Array): boolean {
  return (
    lessThan(signature.subarray(32, 64), GROUP_ORDER_LE, false) &&
    lessThan(signature.subarray(0, 32), FIELD_PRIME_LE, true) &&
    lessThan(publicKey, FIELD_PRIME_LE, true) &&
    !hasSmallOrderY(publicKey)
  );
}

/**
 * Accepts exactly what `verify` accepts, about 14× faster for valid signatures. Never throws.
 *
 * OpenSSL checks the cofactorless equation `[S]B = R + [k]A`; noble checks the cofactored
 * `[8][S]B = [8]R + [8][k]A`. Cofactorless implies cofactored, so (after the strict encoding rules
 * above) an OpenSSL "yes" is a noble "yes". The converse fails when R or A carry a small-order
 * component (e.g. R = rB + T): noble accepts, OpenSSL rejects. No honest signer produces such
 * signatures, but an attacker can, and a node that disagreed with the rule would fork. So an OpenSSL
 * "no" is confirmed by noble: valid signatures stay fast, invalid ones cost one noble verification.
 */
export function verifyFast(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (!hasValidShape(signature, message, publicKey)) return false;
  if (!passesStrictEncodingRules(signature, publicKey)) return false;
  try {
    if (opensslVerify(null, message, keyObjectFor(publicKey), signature)) return true;
  } catch {
    // A key OpenSSL refuses to import (not on the curve): noble decides below.
  }
  return verify(signature, message, publicKey);
}
