// Parameter schemas shared by the method namespaces. Messages say what was expected, because they
// become the text of the -32602 error a client sees.
import * as v from "valibot";
import type { Hex } from "../node-api.ts";

const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})*$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
const HEX_QUANTITY = /^0x[0-9a-fA-F]+$/;
const SS58_SHAPE = /^[1-9A-HJ-NP-Za-km-z]{40,60}$/;

const asHex = v.transform((text: string) => text.toLowerCase() as Hex);

/** Any byte string: `0x` and an even number of hex digits. */
export const hexBytes = v.pipe(
  v.string("expected a hex string"),
  v.regex(HEX_BYTES, "expected 0x-prefixed hex with an even number of digits"),
  asHex,
);

/** An encoded extrinsic: non-empty bytes. */
export const extrinsicBytes = v.pipe(
  v.string("expected the encoded extrinsic as a hex string"),
  v.regex(
    HEX_BYTES,
    "expected the encoded extrinsic as 0x-prefixed hex with an even number of digits",
  ),
  v.minLength(4, "the extrinsic is empty"),
  asHex,
);

/** A block hash: 32 bytes. */
export const blockHash = v.pipe(
  v.string("expected a block hash as a hex string"),
  v.regex(HASH, "expected a 32-byte hash: 0x followed by 64 hex digits"),
  asHex,
);

const BLOCK_NUMBER_MESSAGE =
  "expected a block number: a non-negative safe integer or a 0x hex quantity";

function toBlockNumber(value: number | string): number {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : -1;
  if (!HEX_QUANTITY.test(value)) return -1;
  const parsed = Number.parseInt(value.slice(2), 16);
  return Number.isSafeInteger(parsed) ? parsed : -1;
}

/** A height as Substrate's NumberOrHex: a non-negative integer or a hex quantity. */
export const blockNumber = v.pipe(
  v.union([v.number(), v.string()], BLOCK_NUMBER_MESSAGE),
  v.transform(toBlockNumber),
  v.minValue(0, BLOCK_NUMBER_MESSAGE),
);

/** A count or page size: a non-negative safe integer. */
export const count = v.pipe(
  v.number("expected a non-negative integer"),
  v.safeInteger("expected a non-negative integer"),
  v.minValue(0, "expected a non-negative integer"),
);

/** An account as SS58 or a 0x-prefixed 32-byte account id; the node checks the checksum. */
const ACCOUNT_MESSAGE = "expected an SS58 address or a 0x-prefixed 32-byte account id";
export const accountId = v.pipe(
  v.string(ACCOUNT_MESSAGE),
  v.check((text) => SS58_SHAPE.test(text) || HASH.test(text), ACCOUNT_MESSAGE),
  v.transform((text) => (text.startsWith("0x") ? text.toLowerCase() : text)),
);

/** A trailing optional param: absent, null (as serde's Option accepts) or a value. */
export function optional<T>(schema: v.GenericSchema<unknown, T>) {
  return v.pipe(
    v.nullish(schema),
    v.transform((value) => value ?? undefined),
  );
}

/** A positional parameter list: unknown trailing params are refused, not ignored. */
export function params<const Items extends v.TupleItems>(items: Items) {
  return v.strictTuple(items, (issue) =>
    issue.expected === "never" || issue.received === "never"
      ? `too many params: expected at most ${items.length}`
      : `expected the params as an array of at most ${items.length} values`,
  );
}
