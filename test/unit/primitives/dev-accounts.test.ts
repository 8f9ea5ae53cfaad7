import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { concatBytes, fromHex, toHex, utf8 } from "../../../primitives/bytes.ts";
import {
  DEV_ACCOUNT_NAMES,
  DEV_MINI_SECRET,
  DEV_PHRASE,
  DEV_SR25519_SS58,
  devKeypair,
  keypairFromSuri,
} from "../../../primitives/dev-accounts.ts";
import { blake2b256 } from "../../../primitives/hash.ts";
import { sign, verify } from "../../../primitives/keys.ts";
import { ss58Decode, ss58Encode } from "../../../primitives/ss58.ts";

interface SuriVector {
  suri: string;
  publicKeyHex: string;
  seedHex: string;
  ss58: string;
}

// Produced by test/vectors/generate-ed25519-suri.mjs from @polkadot/util-crypto.
const { vectors } = JSON.parse(
  readFileSync(new URL("../../vectors/ed25519-suri.json", import.meta.url), "utf8"),
) as { vectors: SuriVector[] };

// sp-keyring's ed25519 keys, from reference/substrate-compat.md §5.
const ED25519_SS58 = {
  alice: "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu",
  bob: "5GoNkf6WdbxCFnPdAnYYQyCjAKPJgLNxXwPjwTh6DGg6gN3E",
  charlie: "5DbKjhNLpqX3zqZdNBc9BGb4fHU1cRBaDhJUskrvkwfraDi6",
  dave: "5ECTwv6cZ5nJQPk6tWfaTrEk8YH2L7X1VT4EL5Tx2ikfFwb7",
  eve: "5Ck2miBfCe1JQ4cY3NDsXyBaD6EcsgiVmEFTWwqNSs25XDEq",
  ferdie: "5E2BmpVFzYGd386XRCZ76cDePMB3sfbZp5ZKGUsrG1m6gomN",
} as const;

describe("dev accounts", () => {
  for (const name of DEV_ACCOUNT_NAMES) {
    it(`${name} is sp-keyring's ed25519 key`, () => {
      const pair = devKeypair(name);
      assert.equal(ss58Encode(pair.publicKey, 42), ED25519_SS58[name]);
      const message = Uint8Array.of(1, 2, 3);
      assert.ok(verify(sign(pair.secretKey, message), message, pair.publicKey));
      // The sr25519 constants are well-formed addresses of a different key.
      assert.equal(ss58Decode(DEV_SR25519_SS58[name]).prefix, 42);
      assert.notEqual(DEV_SR25519_SS58[name], ED25519_SS58[name]);
    });
  }

  it("refuses unknown dev names", () => {
    assert.throws(() => devKeypair("mallory" as "alice"), { code: "INVALID_SURI" });
  });
});

describe("keypairFromSuri against @polkadot/util-crypto", () => {
  for (const v of vectors) {
    it(v.suri, () => {
      const pair = keypairFromSuri(v.suri);
      assert.equal(toHex(pair.publicKey), v.publicKeyHex);
      assert.equal(toHex(pair.secretKey), v.seedHex);
      assert.equal(ss58Encode(pair.publicKey), v.ss58);
    });
  }
});

describe("keypairFromSuri", () => {
  it("treats the dev phrase with or without extra spaces alike", () => {
    assert.deepEqual(keypairFromSuri(`${DEV_PHRASE}//Bob`), devKeypair("bob"));
    assert.deepEqual(
      keypairFromSuri(` ${DEV_PHRASE.replaceAll(" ", "  ")}//Bob`),
      devKeypair("bob"),
    );
  });

  it("refuses what it cannot derive, with a reason", () => {
    assert.throws(() => keypairFromSuri("//Alice/soft"), { code: "UNSUPPORTED_SURI" });
    assert.throws(() => keypairFromSuri("//Alice///password"), { code: "UNSUPPORTED_SURI" });
    assert.throws(() => keypairFromSuri("legal winner thank year wave sausage worth useful"), {
      code: "UNSUPPORTED_SURI",
    });
    assert.throws(() => keypairFromSuri("0x1234//Alice"), { code: "INVALID_SURI" });
    assert.throws(() => keypairFromSuri("hello!"), { code: "INVALID_SURI" });
    assert.throws(() => keypairFromSuri("//Alice//"), { code: "INVALID_SURI" });
  });

  it("encodes a junction as u64 only when it fits, as Substrate's DeriveJunction does", () => {
    // One past u64::MAX is not a u64 in Rust's str::parse, so it is a SCALE string (polkadot-js differs).
    const name = "18446744073709551616";
    const chainCode = new Uint8Array(32);
    chainCode.set([name.length << 2, ...new TextEncoder().encode(name)]);
    const seed = blake2b256(
      concatBytes(Uint8Array.of(11 << 2), utf8("Ed25519HDKD"), fromHex(DEV_MINI_SECRET), chainCode),
    );
    assert.deepEqual(keypairFromSuri(`//${name}`).secretKey, seed);
  });
});
