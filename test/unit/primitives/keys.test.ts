import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../../primitives/bytes.ts";
import {
  generateKeypair,
  keypairFromSeed,
  sign,
  verify,
  verifyFast,
} from "../../../primitives/keys.ts";

// RFC 8032 §7.1, TEST 1 and TEST 2.
const RFC8032 = [
  {
    seed: "0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "0xd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "0x",
    signature:
      "0xe5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    seed: "0x4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "0x3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "0x72",
    signature:
      "0x92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
];

describe("ed25519 keys", () => {
  for (const v of RFC8032) {
    it(`matches RFC 8032 for message ${v.message}`, () => {
      const pair = keypairFromSeed(fromHex(v.seed));
      assert.equal(toHex(pair.publicKey), v.publicKey);
      assert.equal(toHex(pair.secretKey), v.seed);
      const signature = sign(pair.secretKey, fromHex(v.message));
      assert.equal(toHex(signature), v.signature);
      assert.ok(verify(signature, fromHex(v.message), pair.publicKey));
      assert.ok(verifyFast(signature, fromHex(v.message), pair.publicKey));
    });
  }

  it("generates distinct working keypairs", () => {
    const a = generateKeypair();
    const b = generateKeypair();
    assert.notDeepEqual(a.publicKey, b.publicKey);
    const message = Uint8Array.of(42);
    assert.ok(verify(sign(a.secretKey, message), message, a.publicKey));
    assert.ok(!verify(sign(a.secretKey, message), message, b.publicKey));
  });

  it("copies the seed so the caller's buffer cannot change the key", () => {
    const seed = new Uint8Array(32).fill(3);
    const pair = keypairFromSeed(seed);
    seed.fill(0);
    assert.deepEqual(pair.secretKey, new Uint8Array(32).fill(3));
  });

  it("refuses seeds of the wrong size with a typed error", () => {
    assert.throws(() => keypairFromSeed(new Uint8Array(31)), { code: "INVALID_SEED" });
    assert.throws(() => sign(new Uint8Array(64), Uint8Array.of(1)), { code: "INVALID_SEED" });
  });

  it("answers false, never throws, for malformed verification inputs", () => {
    const pair = generateKeypair();
    const message = Uint8Array.of(1);
    const signature = sign(pair.secretKey, message);
    for (const check of [verify, verifyFast]) {
      assert.equal(check(signature.subarray(1), message, pair.publicKey), false);
      assert.equal(check(signature, message, pair.publicKey.subarray(1)), false);
      assert.equal(check(signature, "hi" as unknown as Uint8Array, pair.publicKey), false);
      assert.equal(check(new Uint8Array(64), message, new Uint8Array(32)), false);
    }
  });
});
