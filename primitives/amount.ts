// Balances: unsigned 128-bit integers held in bigint, with checked arithmetic that throws a typed
// error instead of wrapping, and LIN's 12-decimal text form for people.
import { AmountError, CodecError } from "./errors.ts";

export const U128_MAX = (1n << 128n) - 1n;
export const LIN_DECIMALS = 12;
/** One LIN in planck, the smallest unit. */
export const UNIT = 10n ** 12n;
export const LIN_SYMBOL = "LIN";

/** Throws unless `x` is a bigint in 0..U128_MAX; returns it for chaining. */
export function assertU128(x: bigint): bigint {
  if (typeof x !== "bigint") throw new AmountError("INVALID_AMOUNT", "amount must be a bigint");
  if (x < 0n) throw new AmountError("UNDERFLOW", `amount ${x} is negative`);
  if (x > U128_MAX) throw new AmountError("OVERFLOW", `amount ${x} exceeds u128`);
  return x;
}

export function checkedAdd(a: bigint, b: bigint): bigint {
  const sum = assertU128(a) + assertU128(b);
  if (sum > U128_MAX) throw new AmountError("OVERFLOW", `${a} + ${b} exceeds u128`);
  return sum;
}

export function checkedSub(a: bigint, b: bigint): bigint {
  if (assertU128(a) < assertU128(b)) throw new AmountError("UNDERFLOW", `${a} - ${b} is negative`);
  return a - b;
}

export function checkedMul(a: bigint, b: bigint): bigint {
  const product = assertU128(a) * assertU128(b);
  if (product > U128_MAX) throw new AmountError("OVERFLOW", `${a} * ${b} exceeds u128`);
  return product;
}

/** Floor division. */
export function checkedDiv(a: bigint, b: bigint): bigint {
  if (assertU128(b) === 0n) throw new AmountError("DIVISION_BY_ZERO", `${a} / 0`);
  return assertU128(a) / b;
}

/** a - b, or zero when b > a: for fees and slashes that take what there is. */
export function saturatingSub(a: bigint, b: bigint): bigint {
  return assertU128(a) > assertU128(b) ? a - b : 0n;
}

/**
 * floor(a * b / c) with the product computed exactly, so pro-rata shares (amount × part / whole)
 * never overflow in the middle; only a result above u128 is an error.
 */
export function mulDivFloor(a: bigint, b: bigint, c: bigint): bigint {
  if (assertU128(c) === 0n) throw new AmountError("DIVISION_BY_ZERO", `${a} * ${b} / 0`);
  const result = (assertU128(a) * assertU128(b)) / c;
  if (result > U128_MAX) throw new AmountError("OVERFLOW", `${a} * ${b} / ${c} exceeds u128`);
  return result;
}

// --- Text ----------------------------------------------------------------------------------------

const LIN_TEXT_RE = /^(\d+)(?:\.(\d+))?$/;

/**
 * "1.5" (optionally "1.5 LIN") to planck. Refuses signs, exponents, separators, empty parts and more
 * than 12 decimals rather than rounding: a user's amount is taken exactly or not at all.
 */
export function parseLin(text: string): bigint {
  const trimmed = typeof text === "string" ? text.trim().replace(/\s*LIN$/i, "") : "";
  const match = LIN_TEXT_RE.exec(trimmed);
  if (match === null) {
    throw new AmountError(
      "INVALID_AMOUNT",
      `not a LIN amount: ${JSON.stringify(text)} (expected digits with an optional . and up to ${LIN_DECIMALS} decimals)`,
    );
  }
  const whole = match[1]!;
  const fraction = match[2] ?? "";
  if (fraction.length > LIN_DECIMALS) {
    throw new AmountError(
      "INVALID_AMOUNT",
      `${JSON.stringify(text)} has more than ${LIN_DECIMALS} decimals, LIN's smallest unit`,
    );
  }
  const planck = BigInt(whole) * UNIT + BigInt(fraction.padEnd(LIN_DECIMALS, "0"));
  if (planck > U128_MAX) throw new AmountError("OVERFLOW", `${text} LIN exceeds u128`);
  return planck;
}

/** Planck to "1.5 LIN": exact, trailing zeros dropped, no thousands separators. */
export function formatLin(planck: bigint): string {
  assertU128(planck);
  const whole = planck / UNIT;
  const fraction = (planck % UNIT).toString().padStart(LIN_DECIMALS, "0").replace(/0+$/, "");
  return `${whole}${fraction === "" ? "" : `.${fraction}`} ${LIN_SYMBOL}`;
}

// --- Bytes ---------------------------------------------------------------------------------------

const U128_BYTES = 16;

/** Minimal big-endian bytes, the codec's form of a u128: zero is empty, no leading zero byte. */
export function u128ToBytes(value: bigint): Uint8Array {
  assertU128(value);
  const out = new Uint8Array(U128_BYTES);
  let rest = value;
  let i = U128_BYTES;
  while (rest > 0n) {
    out[--i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out.slice(i);
}

export function u128FromBytes(bytes: Uint8Array): bigint {
  if (bytes.length > U128_BYTES) {
    throw new CodecError("OVERSIZE", `u128 has at most ${U128_BYTES} bytes, got ${bytes.length}`);
  }
  if (bytes[0] === 0) {
    throw new CodecError("NON_CANONICAL", "u128 bytes must not start with a zero byte");
  }
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}
