import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { base58 } from "@scure/base";
import fc from "fast-check";
import { fromHex, toHex } from "../../../primitives/bytes.ts";
import { parseAccountId, ss58Decode, ss58Encode } from "../../../primitives/ss58.ts";

interface Ss58Vector {
  publicKeyHex: string;
  prefix: number;
  address: string;
}

// Produced by test/vectors/generate-ss58.mjs from @polkadot/util-crypto.
const { vectors } = JSON.parse(
  readFileSync(new URL("../../vectors/ss58.json", import.meta.url), "utf8"),
) as { vectors: Ss58Vector[] };

/** Re-encodes decoded bytes with one byte changed, so base58 stays valid and only the content lies. */
function corrupt(address: string, index: number): string {
  const data = base58.decode(address);
  data[index]! ^= 0x01;
  return base58.encode(data);
}

describe("ss58 against @polkadot/util-crypto vectors", () => {
  it("has the vectors", () => assert.ok(vectors.length >= 40));

  for (const v of vectors) {
    it(`prefix ${v.prefix} ${v.address}`, () => {
      assert.equal(ss58Encode(fromHex(v.publicKeyHex), v.prefix), v.address);
      const decoded = ss58Decode(v.address);
      assert.equal(toHex(decoded.publicKey), v.publicKeyHex);
      assert.equal(decoded.prefix, v.prefix);
      const length = base58.decode(v.address).length;
      assert.throws(() => ss58Decode(corrupt(v.address, length - 1)), {
        code: "INVALID_SS58_CHECKSUM",
      });
      assert.throws(() => ss58Decode(corrupt(v.address, length - 10)), {
        code: "INVALID_SS58_CHECKSUM",
      });
    });
  }
});

describe("ss58", () => {
  const alice = fromHex("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");

  it("defaults to prefix 42", () => {
    assert.equal(ss58Encode(alice), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
  });

  it("round-trips every key and prefix", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 16383 }).filter((p) => p !== 46 && p !== 47),
        (key, prefix) => {
          const decoded = ss58Decode(ss58Encode(key, prefix));
          assert.deepEqual(decoded, { publicKey: key, prefix });
        },
      ),
    );
  });

  it("refuses reserved and out-of-range prefixes", () => {
    for (const prefix of [46, 47, -1, 16384, 1.5]) {
      assert.throws(() => ss58Encode(alice, prefix), { code: "INVALID_SS58_PREFIX" });
    }
    // A reserved prefix written by hand with a correct checksum is still refused on decode.
    const v = vectors.find((x) => x.prefix === 42)!;
    const data = base58.decode(v.address);
    data[0] = 46;
    assert.throws(() => ss58Decode(base58.encode(data)), { code: "INVALID_SS58_PREFIX" });
  });

  it("refuses bad base58, wrong lengths and a top prefix bit", () => {
    assert.throws(() => ss58Decode("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ0"), {
      code: "INVALID_SS58",
    });
    assert.throws(() => ss58Decode(""), { code: "INVALID_SS58_PREFIX" });
    assert.throws(() => ss58Decode(base58.encode(new Uint8Array(34).fill(1))), {
      code: "INVALID_SS58",
    });
    assert.throws(() => ss58Decode(base58.encode(Uint8Array.of(200, ...new Uint8Array(34)))), {
      code: "INVALID_SS58_PREFIX",
    });
    assert.throws(() => ss58Encode(new Uint8Array(33)), { code: "INVALID_LENGTH" });
  });

  it("parses account ids as SS58 or hex", () => {
    const address = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    assert.deepEqual(parseAccountId(address), alice);
    assert.deepEqual(parseAccountId(` ${toHex(alice)} `), alice);
    assert.deepEqual(parseAccountId(address, 42), alice);
    assert.throws(() => parseAccountId(address, 0), { code: "INVALID_SS58_PREFIX" });
    assert.throws(() => parseAccountId("0x1234"), { code: "INVALID_LENGTH" });
    assert.throws(() => parseAccountId("alice"), { code: "INVALID_SS58" });
  });
});
