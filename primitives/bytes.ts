// Byte helpers shared by every layer. Hex is always 0x-prefixed and lower case, as Substrate prints it.
import { PrimitiveError } from "./errors.ts";

export type Bytes = Uint8Array;

/**
 * Hex digits after the prefix, parity checked apart: a repeated group (`(..)*`) backtracks
 * recursively and overflows the stack on a parameter of a few megabytes.
 */
const HEX_RE = /^0x[0-9a-fA-F]*$/;

export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** Parses 0x-prefixed hex with an even number of digits; anything else is a typed error. */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  if (typeof hex !== "string" || hex.length % 2 !== 0 || !HEX_RE.test(hex)) {
    throw new PrimitiveError(
      "INVALID_HEX",
      "expected 0x-prefixed hex with an even number of digits",
    );
  }
  const out = new Uint8Array(Buffer.from(hex.slice(2), "hex"));
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new PrimitiveError(
      "INVALID_LENGTH",
      `expected ${expectedLength} bytes of hex, got ${out.length}`,
    );
  }
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte order: negative, zero or positive like a comparator. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Big-endian fixed-width unsigned integer, so that byte order equals numeric order. */
export function u64be(value: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

export function readU64be(bytes: Uint8Array): bigint {
  if (bytes.length !== 8) throw new PrimitiveError("INVALID_LENGTH", "expected 8 bytes");
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
}

export function u32be(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}
