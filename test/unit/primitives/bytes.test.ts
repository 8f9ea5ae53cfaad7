// Hex parsing: every malformed string is a typed error, and a huge parameter (an RPC client may
// send megabytes) parses without overflowing the stack.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../../primitives/bytes.ts";
import { PrimitiveError } from "../../../primitives/errors.ts";

const code = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    assert.ok(error instanceof PrimitiveError, String(error));
    return error.code;
  }
  return "none";
};

describe("fromHex", () => {
  it("round-trips bytes and accepts either case", () => {
    assert.deepEqual(fromHex("0x00ff10"), new Uint8Array([0, 255, 16]));
    assert.deepEqual(fromHex("0xABcd"), new Uint8Array([0xab, 0xcd]));
    assert.equal(toHex(fromHex("0x")), "0x");
  });

  it("refuses what is not 0x-prefixed hex of whole bytes", () => {
    for (const bad of ["", "0x0", "00ff", "0xzz", "0x0g", "0X00", "0x 0", " 0x00", "0x00\n"])
      assert.equal(
        code(() => fromHex(bad)),
        "INVALID_HEX",
        JSON.stringify(bad),
      );
    assert.equal(
      code(() => fromHex(42 as unknown as string)),
      "INVALID_HEX",
    );
    assert.equal(
      code(() => fromHex("0x0011", 3)),
      "INVALID_LENGTH",
    );
  });

  it("parses and refuses 7 MB of hex bytes (14 M digits) without a stack overflow", () => {
    const digits = "ab".repeat(7_000_000);
    assert.equal(fromHex(`0x${digits}`).length, 7_000_000);
    assert.equal(
      code(() => fromHex(`0x${digits}z`)),
      "INVALID_HEX",
    );
    assert.equal(
      code(() => fromHex(`0x${digits}a`)),
      "INVALID_HEX",
    );
  });
});
