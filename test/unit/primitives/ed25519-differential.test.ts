// verifyFast (OpenSSL) must accept exactly what verify (noble, strict RFC 8032) accepts: this file is
// the proof DESIGN.md asks for before the fast path may be used on blocks and transactions.
import assert from "node:assert/strict";
import { createPublicKey, verify as opensslVerify, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { ED25519_TORSION_SUBGROUP, ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { keypairFromSeed, sign, verify, verifyFast } from "../../../primitives/keys.ts";

const { Point } = ed25519;
const L = Point.Fn.ORDER;
const P = 2n ** 255n - 19n;

function toLe(n: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function fromLe(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function challenge(r: Uint8Array, publicKey: Uint8Array, message: Uint8Array): bigint {
  return fromLe(sha512(Uint8Array.from([...r, ...publicKey, ...message]))) % L;
}

function signatureOf(r: Uint8Array, s: bigint): Uint8Array {
  return Uint8Array.from([...r, ...toLe(s)]);
}

let checked = 0;
// How often OpenSSL alone (without verifyFast's guards) would have disagreed, in each direction.
const rawDisagreement = { opensslOnlyAccepts: 0, nobleOnlyAccepts: 0 };

/** The assertion every case goes through: the two verifiers give the same answer. */
function assertAgree(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const reference = verify(signature, message, publicKey);
  const fast = verifyFast(signature, message, publicKey);
  checked++;
  if (signature.length === 64 && publicKey.length === 32) {
    const raw = rawOpenssl(signature, message, publicKey);
    if (raw && !reference) rawDisagreement.opensslOnlyAccepts++;
    if (!raw && reference) rawDisagreement.nobleOnlyAccepts++;
  }
  assert.equal(
    fast,
    reference,
    `verifyFast=${fast} but noble=${reference} for sig ${Buffer.from(signature).toString("hex")} ` +
      `msg ${Buffer.from(message).toString("hex")} key ${Buffer.from(publicKey).toString("hex")}`,
  );
  return reference;
}

/** OpenSSL on its own, without verifyFast's guards: only used to report where it differs. */
function rawOpenssl(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    const key = createPublicKey({
      key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKey]),
      format: "der",
      type: "spki",
    });
    return opensslVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

const signer = keypairFromSeed(new Uint8Array(32).fill(7));
const signerScalar = ed25519.utils.getExtendedPublicKey(signer.secretKey).scalar;
const torsion = ED25519_TORSION_SUBGROUP.map((hex) => Uint8Array.from(Buffer.from(hex, "hex")));

/** Canonical and non-canonical encodings of every small-order point. */
function smallOrderEncodings(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const t of torsion) {
    out.push(t);
    const flipped = Uint8Array.from(t);
    flipped[31]! ^= 0x80; // the other sign bit: "-0" for x = 0, otherwise the negated point
    out.push(flipped);
    const y = fromLe(t) & ((1n << 255n) - 1n);
    if (y + P < 1n << 255n) {
      out.push(toLe(y + P)); // y >= p, same point
      out.push(toLe((y + P) | (1n << 255n)));
    }
  }
  return out;
}

describe("ed25519 differential: verifyFast == noble (zip215: false)", () => {
  it("agrees on random valid signatures", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        (seed, message) => {
          const { publicKey, secretKey } = keypairFromSeed(seed);
          assert.equal(assertAgree(sign(secretKey, message), message, publicKey), true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("agrees on single bit flips in message, signature and key", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        fc.constantFrom("message", "signature", "publicKey"),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (seed, message, target, index, bit) => {
          const { publicKey, secretKey } = keypairFromSeed(seed);
          const parts = { message, signature: sign(secretKey, message), publicKey };
          const flipped = Uint8Array.from(parts[target]);
          flipped[index % flipped.length]! ^= 1 << bit;
          const tampered = { ...parts, [target]: flipped };
          assertAgree(tampered.signature, tampered.message, tampered.publicKey);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("agrees on arbitrary bytes and wrong lengths, and never throws", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 70 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 40 }),
        (signature, message, publicKey) => {
          assertAgree(signature, message, publicKey);
        },
      ),
      { numRuns: 300 },
    );
    const zeros64 = new Uint8Array(64);
    const zeros32 = new Uint8Array(32);
    assertAgree(zeros64, new Uint8Array(), zeros32);
    assertAgree(zeros64, zeros32, zeros32);
    assertAgree(zeros64, zeros32, signer.publicKey);
    assertAgree(sign(signer.secretKey, zeros32), zeros32, zeros32);
    assert.equal(verifyFast(new Uint8Array(63), zeros32, signer.publicKey), false);
    assert.equal(verifyFast(zeros64, zeros32, new Uint8Array(33)), false);
    assert.equal(verifyFast(null as unknown as Uint8Array, zeros32, signer.publicKey), false);
  });

  it("agrees on small-order public keys, canonical or not", () => {
    const message = Uint8Array.from([1, 2, 3]);
    for (const publicKey of smallOrderEncodings()) {
      const identity = torsion[0]!;
      // R = identity and S = 0 satisfy the equation for any small-order A whose k·A vanishes.
      assertAgree(signatureOf(identity, 0n), message, publicKey);
      // R = [S]B with a message whose challenge is a multiple of 8: [k]A = 0 for every small-order A.
      const s = 12345n;
      const r = Point.BASE.multiply(s).toBytes();
      for (let i = 0; ; i++) {
        const m = Uint8Array.from([i & 0xff, i >> 8]);
        if (challenge(r, publicKey, m) % 8n === 0n) {
          assert.equal(assertAgree(signatureOf(r, s), m, publicKey), false);
          break;
        }
      }
      assertAgree(sign(signer.secretKey, message), message, publicKey);
    }
  });

  it("agrees on small-order and torsioned R, and on mixed-order public keys", () => {
    const message = Uint8Array.from([9, 9]);
    for (const tBytes of smallOrderEncodings()) {
      let T: InstanceType<typeof Point>;
      try {
        T = Point.fromBytes(tBytes);
      } catch {
        continue;
      }
      // R = T exactly (small order): [S]B = R + [k]A holds only up to T.
      const k0 = challenge(tBytes, signer.publicKey, message);
      const smallR = signatureOf(tBytes, (k0 * signerScalar) % L);
      assertAgree(smallR, message, signer.publicKey);
      // R = rB + T: a valid-looking signature with a torsion component.
      const rBytes = Point.BASE.multiply(777n).add(T).toBytes();
      const k1 = challenge(rBytes, signer.publicKey, message);
      const torsionR = signatureOf(rBytes, (777n + k1 * signerScalar) % L);
      assertAgree(torsionR, message, signer.publicKey);
      // A' = A + T: the signer's key with a torsion component, signed with the signer's scalar.
      const mixedA = Point.fromBytes(signer.publicKey).add(T).toBytes();
      for (let i = 0; i < 8; i++) {
        const m = Uint8Array.from([i]);
        const rb = Point.BASE.multiply(999n).toBytes();
        const k = challenge(rb, mixedA, m);
        const sig = signatureOf(rb, (999n + k * signerScalar) % L);
        assertAgree(sig, m, mixedA);
      }
    }
  });

  it("agrees on non-canonical S", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (message) => {
        const signature = sign(signer.secretKey, message);
        const r = signature.subarray(0, 32);
        const s = fromLe(signature.subarray(32));
        assertAgree(signatureOf(r, s + L), message, signer.publicKey);
        assertAgree(signatureOf(r, L), message, signer.publicKey);
        assertAgree(signatureOf(r, (1n << 256n) - 1n), message, signer.publicKey);
        assertAgree(signatureOf(r, s + 8n * L), message, signer.publicKey);
      }),
      { numRuns: 50 },
    );
  });

  it("agrees on non-canonical R and A encodings (y >= p)", () => {
    const message = Uint8Array.from([4, 2]);
    for (let y = 0n; y < 19n; y++) {
      for (const sign255 of [0n, 1n << 255n]) {
        const nonCanonical = toLe((y + P) | sign255);
        // As a public key, with a real signature and with the trivial one.
        assertAgree(sign(signer.secretKey, message), message, nonCanonical);
        assertAgree(signatureOf(torsion[0]!, 0n), message, nonCanonical);
        // As R, with S chosen so the equation holds if R decodes as the point it names.
        let point: InstanceType<typeof Point> | undefined;
        try {
          point = Point.fromBytes(toLe(y | sign255));
        } catch {
          point = undefined;
        }
        const k = challenge(nonCanonical, signer.publicKey, message);
        if (point?.isSmallOrder()) {
          assertAgree(signatureOf(nonCanonical, (k * signerScalar) % L), message, signer.publicKey);
        }
        assertAgree(signatureOf(nonCanonical, 5n), message, signer.publicKey);
      }
    }
    // The identity written as y = p + 1 with S = k·a: the cofactored equation holds; strict decoding refuses.
    const identityNc = toLe(P + 1n);
    const k = challenge(identityNc, signer.publicKey, message);
    assert.equal(
      assertAgree(signatureOf(identityNc, (k * signerScalar) % L), message, signer.publicKey),
      false,
    );
  });

  it("agrees on random keys with random signatures from other keys", (t) => {
    for (let i = 0; i < 50; i++) {
      const other = keypairFromSeed(randomBytes(32));
      const message = randomBytes(i);
      assertAgree(sign(other.secretKey, message), message, signer.publicKey);
    }
    assert.ok(checked > 1000, `only ${checked} comparisons ran`);
    // Informational: OpenSSL alone is cofactorless, so it rejects torsioned signatures noble accepts;
    // that is why verifyFast confirms OpenSSL's "no" with noble.
    t.diagnostic(
      `${checked} cases; raw OpenSSL alone would accept ${rawDisagreement.opensslOnlyAccepts} ` +
        `that noble rejects and reject ${rawDisagreement.nobleOnlyAccepts} that noble accepts`,
    );
  });
});
