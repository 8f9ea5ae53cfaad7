// One typed error per layer, each with a stable string code. Codes are part of the public surface:
// RPC maps them to JSON-RPC errors and tests match on them, so never rename one.

export class LineageError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Malformed bytes, hex, addresses, keys or numbers. */
export class PrimitiveError extends LineageError {}

/** Bytes that do not decode canonically under a schema. */
export class CodecError extends LineageError {}

/** u128 arithmetic that would overflow or underflow. */
export class AmountError extends LineageError {}
