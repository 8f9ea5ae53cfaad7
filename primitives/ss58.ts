// SS58 addresses exactly as sp-core writes them (reference/substrate-compat.md §6), for 32-byte
// account ids only: base58(prefix ‖ publicKey ‖ blake2b-512("SS58PRE" ‖ prefix ‖ publicKey)[0..2]).
import { base58 } from "@scure/base";
import { bytesEqual, concatBytes, fromHex, utf8 } from "./bytes.ts";
import { PrimitiveError } from "./errors.ts";
import { blake2b512 } from "./hash.ts";

export const DEFAULT_SS58_PREFIX = 42;
export const MAX_SS58_PREFIX = 16383;
/** Reserved by the SS58 registry and refused by sp-core and polkadot-js alike. */
export const RESERVED_SS58_PREFIXES: readonly number[] = [46, 47];

const ACCOUNT_ID_LENGTH = 32;
const CHECKSUM_LENGTH = 2;
const SS58_CONTEXT = utf8("SS58PRE");

export interface DecodedAddress {
  readonly publicKey: Uint8Array;
  readonly prefix: number;
}

function assertPrefix(prefix: number): void {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > MAX_SS58_PREFIX) {
    throw new PrimitiveError(
      "INVALID_SS58_PREFIX",
      `SS58 prefix must be an integer 0..${MAX_SS58_PREFIX}, got ${prefix}`,
    );
  }
  if (RESERVED_SS58_PREFIXES.includes(prefix)) {
    throw new PrimitiveError("INVALID_SS58_PREFIX", `SS58 prefix ${prefix} is reserved`);
  }
}

function prefixBytes(prefix: number): Uint8Array {
  if (prefix < 64) return Uint8Array.of(prefix);
  return Uint8Array.of(((prefix & 0xfc) >> 2) | 0x40, (prefix >> 8) | ((prefix & 0x03) << 6));
}

function checksum(prefixAndKey: Uint8Array): Uint8Array {
  return blake2b512(concatBytes(SS58_CONTEXT, prefixAndKey)).subarray(0, CHECKSUM_LENGTH);
}

export function ss58Encode(publicKey: Uint8Array, prefix: number = DEFAULT_SS58_PREFIX): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ACCOUNT_ID_LENGTH) {
    throw new PrimitiveError("INVALID_LENGTH", `an account id is ${ACCOUNT_ID_LENGTH} bytes`);
  }
  assertPrefix(prefix);
  const body = concatBytes(prefixBytes(prefix), publicKey);
  return base58.encode(concatBytes(body, checksum(body)));
}

export function ss58Decode(address: string): DecodedAddress {
  let data: Uint8Array;
  try {
    data = base58.decode(address);
  } catch (cause) {
    throw new PrimitiveError("INVALID_SS58", "address is not base58", { cause });
  }
  const first = data[0];
  if (first === undefined || first > 127) {
    throw new PrimitiveError("INVALID_SS58_PREFIX", "address has no valid SS58 prefix byte");
  }
  const prefixLength = first < 64 ? 1 : 2;
  if (data.length !== prefixLength + ACCOUNT_ID_LENGTH + CHECKSUM_LENGTH) {
    throw new PrimitiveError(
      "INVALID_SS58",
      `address decodes to ${data.length} bytes; only 32-byte account ids are supported`,
    );
  }
  let prefix = first;
  if (prefixLength === 2) {
    const second = data[1]!;
    prefix = ((first & 0x3f) << 2) | (second >> 6) | ((second & 0x3f) << 8);
    // sp-core would read a prefix below 64 from the two-byte form, but no encoder writes it; refusing
    // it keeps one address per (key, prefix).
    if (prefix < 64) {
      throw new PrimitiveError("INVALID_SS58_PREFIX", "prefix below 64 in two-byte form");
    }
  }
  assertPrefix(prefix);
  const body = data.subarray(0, prefixLength + ACCOUNT_ID_LENGTH);
  if (!bytesEqual(checksum(body), data.subarray(body.length))) {
    throw new PrimitiveError("INVALID_SS58_CHECKSUM", "SS58 checksum does not match");
  }
  return { publicKey: data.slice(prefixLength, body.length), prefix };
}

/**
 * An account id as a user types it: an SS58 address (any prefix) or 0x-prefixed 32-byte hex.
 * With `expectedPrefix`, an address of another network is refused rather than silently accepted.
 */
export function parseAccountId(text: string, expectedPrefix?: number): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.startsWith("0x")) return fromHex(trimmed, ACCOUNT_ID_LENGTH);
  const { publicKey, prefix } = ss58Decode(trimmed);
  if (expectedPrefix !== undefined && prefix !== expectedPrefix) {
    throw new PrimitiveError(
      "INVALID_SS58_PREFIX",
      `address has SS58 prefix ${prefix}, this chain uses ${expectedPrefix}`,
    );
  }
  return publicKey;
}
