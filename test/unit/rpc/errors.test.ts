import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CodecError, LineageError, PrimitiveError } from "../../../primitives/errors.ts";
import { extrinsicDecodeError, LINEAGE_ERROR_TABLE, toRpcError } from "../../../rpc/errors.ts";
import { RpcError } from "../../../rpc/jsonrpc.ts";

const DROPPED = "The transaction couldn't enter the pool because of the limit";
const HASH = `0x${"ab".repeat(32)}`;

/** [LineageError code, node message, expected code, expected message, expected data]. */
const EXPECTED: [string, string, number, string, unknown][] = [
  [
    "TX_BAD_FORMAT",
    "unexpected end",
    1001,
    "Extrinsic has invalid format: unexpected end",
    undefined,
  ],
  ["TX_VERIFICATION", "bad", 1002, "Verification Error: bad", "bad"],
  ["TX_CALL", "x", 1010, "Invalid Transaction", "Transaction call is not expected"],
  [
    "TX_PAYMENT",
    "x",
    1010,
    "Invalid Transaction",
    "Inability to pay some fees (e.g. account balance too low)",
  ],
  ["TX_FUTURE", "x", 1010, "Invalid Transaction", "Transaction will be valid in the future"],
  ["TX_STALE", "nonce 3 < 5", 1010, "Invalid Transaction", "Transaction is outdated"],
  ["TX_BAD_PROOF", "x", 1010, "Invalid Transaction", "Transaction has a bad signature"],
  ["TX_ANCIENT_BIRTH", "x", 1010, "Invalid Transaction", "Transaction has an ancient birth block"],
  ["TX_EXPIRED", "x", 1010, "Invalid Transaction", "Transaction is outdated"],
  [
    "TX_UNSIGNED",
    "x",
    1011,
    "Unknown Transaction Validity",
    "Could not find an unsigned validator for the unsigned transaction",
  ],
  [
    "TX_EXHAUSTS_RESOURCES",
    "x",
    1010,
    "Invalid Transaction",
    "Transaction would exhaust the block limits",
  ],
  [
    "TX_BAD_MANDATORY",
    "x",
    1010,
    "Invalid Transaction",
    "A call was labelled as mandatory, but resulted in an Error.",
  ],
  [
    "TX_MANDATORY_VALIDATION",
    "x",
    1010,
    "Invalid Transaction",
    "Transaction dispatch is mandatory; transactions must not be validated.",
  ],
  ["TX_BAD_SIGNER", "x", 1010, "Invalid Transaction", "Invalid signing address"],
  [
    "TX_BAD_GENESIS",
    "x",
    1010,
    "Invalid Transaction",
    "Transaction was signed for another chain (genesis hash mismatch)",
  ],
  [
    "TX_BAD_SPEC_VERSION",
    "x",
    1010,
    "Invalid Transaction",
    "Transaction was signed for another runtime (spec version mismatch)",
  ],
  ["TX_CUSTOM", "custom validity error 7", 1010, "Invalid Transaction", "Custom error: 7"],
  ["TX_UNKNOWN", "no validator", 1011, "Unknown Transaction Validity", "no validator"],
  ["POOL_TEMPORARILY_BANNED", "x", 1012, "Transaction is temporarily banned", undefined],
  ["POOL_ALREADY_IMPORTED", `already have ${HASH}`, 1013, "Transaction Already Imported", HASH],
  [
    "POOL_TOO_LOW_PRIORITY",
    "replacement did not outbid: 10 vs 5",
    1014,
    "Priority is too low: (10 vs 5)",
    "The transaction has too low priority to replace another transaction already in the pool.",
  ],
  ["POOL_CYCLE_DETECTED", "x", 1015, "Cycle Detected", undefined],
  ["POOL_IMMEDIATELY_DROPPED", "x", 1016, "Immediately Dropped", DROPPED],
  ["POOL_FULL", "ready queue full", 1016, "Immediately Dropped", DROPPED],
  [
    "POOL_UNACTIONABLE",
    "x",
    1018,
    "Unactionable",
    "The transaction is unactionable since it is not propagable and the local node does not author blocks",
  ],
  [
    "POOL_NO_TAGS",
    "x",
    1019,
    "No tags provided",
    "Transaction does not provide any tags, so the pool can't identify it",
  ],
  ["POOL_INVALID_BLOCK_ID", "x", 1020, "The provided block ID is not valid", undefined],
  ["POOL_FUTURE_REJECTED", "x", 1021, "The pool is not accepting future transactions", undefined],
  ["NODE_NOT_HEALTHY", "0 peers", 2001, "Node is not fully functional: 0 peers", undefined],
  ["MALFORMED_PEER", "bad multiaddr", 2002, "bad multiaddr", undefined],
  ["BLOCK_NOT_FOUND", HASH, 4003, `Client error: UnknownBlock: ${HASH}`, undefined],
  ["UNKNOWN_BLOCK", HASH, 4003, `Client error: UnknownBlock: ${HASH}`, undefined],
  [
    "STATE_DISCARDED",
    `state of ${HASH} was pruned`,
    4003,
    `Client error: State already discarded for ${HASH}`,
    undefined,
  ],
  ["INVALID_COUNT", "count exceeds maximum value", 4002, "count exceeds maximum value", undefined],
  ["PAYMENT_RUNTIME_ERROR", "trap", 1, "Unable to query dispatch info.", "trap"],
  ["PAYMENT_DECODE_ERROR", "bad xt", 2, "Unable to query dispatch info.", "bad xt"],
  ["ATTEST_FETCH", "no report", -32000, "Report unavailable", "no report"],
  ["INVALID_HEX", "expected hex", -32602, "Invalid params", "expected hex"],
  ["INVALID_SS58", "bad checksum", -32602, "Invalid params", "bad checksum"],
  ["INVALID_LENGTH", "expected 32 bytes", -32602, "Invalid params", "expected 32 bytes"],
  ["INVALID_PARAMS", "no such datanet", -32602, "Invalid params", "no such datanet"],
  ["KEY_MISMATCH", "wrong key", -32602, "Invalid params", "wrong key"],
  ["INVALID_KEY_TYPE", "bad type", -32602, "Invalid params", "bad type"],
];

describe("LineageError to JSON-RPC error table", () => {
  it("has a tested expectation for every row, and no expectation without a row", () => {
    assert.deepEqual(
      EXPECTED.map(([code]) => code).sort(),
      Object.keys(LINEAGE_ERROR_TABLE).sort(),
    );
  });

  for (const [lineageCode, nodeMessage, code, message, data] of EXPECTED) {
    it(`maps ${lineageCode} to ${code}`, () => {
      const { error, unexpected } = toRpcError(new LineageError(lineageCode, nodeMessage));
      assert.equal(unexpected, false);
      assert.deepEqual(
        error.toJSON(),
        data === undefined ? { code, message } : { code, message, data },
      );
    });
  }

  it("falls back to bare messages when the node gave no numbers", () => {
    assert.equal(
      toRpcError(new LineageError("POOL_TOO_LOW_PRIORITY", "no")).error.message,
      "Priority is too low",
    );
    assert.equal(toRpcError(new LineageError("TX_CUSTOM", "x")).error.data, "Custom error: 0");
  });

  it("treats codec and primitive errors of other codes as invalid params", () => {
    for (const error of [
      new CodecError("NON_CANONICAL", "tip must be minimal"),
      new PrimitiveError("INVALID_SEED", "seed is 32 bytes"),
    ]) {
      const mapped = toRpcError(error).error;
      assert.equal(mapped.code, -32602);
      assert.equal(mapped.data, error.message);
    }
  });

  it("reports unknown codes and foreign errors as -32603 and flags them", () => {
    const lineage = toRpcError(new LineageError("SOMETHING_NEW", "boom"));
    assert.equal(lineage.unexpected, true);
    assert.deepEqual(lineage.error.toJSON(), {
      code: -32603,
      message: "Internal error",
      data: "SOMETHING_NEW: boom",
    });
    const foreign = toRpcError(new TypeError("secret internals"));
    assert.equal(foreign.unexpected, true);
    assert.deepEqual(foreign.error.toJSON(), { code: -32603, message: "Internal error" });
  });

  it("passes RpcError through unchanged", () => {
    const error = new RpcError(4002, "count exceeds maximum value");
    assert.equal(toRpcError(error).error, error);
  });

  it("turns codec failures of an extrinsic into 1001 (author) or 2 (payment)", () => {
    const codec = new CodecError("MALFORMED", "Extrinsic: malformed bytes");
    assert.deepEqual((extrinsicDecodeError(codec, "author") as RpcError).toJSON(), {
      code: 1001,
      message: "Extrinsic has invalid format: Extrinsic: malformed bytes",
    });
    assert.deepEqual((extrinsicDecodeError(codec, "payment") as RpcError).toJSON(), {
      code: 2,
      message: "Unable to query dispatch info.",
      data: "Extrinsic: malformed bytes",
    });
    const other = new LineageError("TX_STALE", "x");
    assert.equal(extrinsicDecodeError(other, "author"), other);
  });
});
