import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  Keystore,
  keyTypeHex,
  loadNodeKey,
  loadOrCreateNodeKey,
  nodeKeyPath,
} from "../../../node/keystore.ts";
import { keypairFromSeed } from "../../../primitives/keys.ts";

const base = mkdtempSync(join(tmpdir(), "lineage-keystore-test-"));
after(() => rmSync(base, { recursive: true, force: true }));

const seed = (byte: number) => new Uint8Array(32).fill(byte);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const mode = (path: string) => statSync(path).mode & 0o777;

describe("Keystore", () => {
  const chainDir = join(base, "chains", "dev");
  const keystore = Keystore.forChain(chainDir);
  const alice = keypairFromSeed(seed(1));
  const bob = keypairFromSeed(seed(2));

  it("stores a seed under <type hex><public hex> as a JSON string, private", () => {
    keystore.insert("aura", alice.secretKey, alice.publicKey);
    assert.equal(keystore.directory, join(chainDir, "keystore"));
    assert.equal(mode(keystore.directory), 0o700);
    const file = join(keystore.directory, `61757261${hex(alice.publicKey)}`);
    assert.equal(readFileSync(file, "utf8"), `"0x${"01".repeat(32)}"`);
    assert.equal(mode(file), 0o600);
    assert.deepEqual(readdirSync(keystore.directory), [`61757261${hex(alice.publicKey)}`]);
  });

  it("gets, checks and lists keys by type", () => {
    keystore.insert("gran", alice.secretKey, alice.publicKey);
    assert.deepEqual(keystore.insertSeed("aura", bob.secretKey), bob.publicKey);
    assert.deepEqual(keystore.get("aura", alice.publicKey), alice.secretKey);
    assert.equal(keystore.has("aura", bob.publicKey), true);
    assert.equal(keystore.has("gran", bob.publicKey), false);
    assert.equal(keystore.get("babe", alice.publicKey), undefined);
    const sorted = [alice.publicKey, bob.publicKey].sort((a, b) => hex(a).localeCompare(hex(b)));
    assert.deepEqual(keystore.list("aura"), sorted);
    assert.deepEqual(keystore.list("gran"), [alice.publicKey]);
    assert.deepEqual(keystore.list("imon"), []);
  });

  it("reopens an existing keystore", () => {
    const again = new Keystore(keystore.directory);
    assert.deepEqual(again.get("gran", alice.publicKey), alice.secretKey);
  });

  it("accepts an injected public key derivation", () => {
    const custom = new Keystore(join(base, "custom"), {
      derivePublicKey: (s) => s.slice().reverse(),
    });
    const pub = custom.insertSeed(
      "aura",
      Uint8Array.from({ length: 32 }, (_, i) => i),
    );
    assert.equal(pub[0], 31);
    assert.equal(custom.has("aura", pub), true);
  });

  it("rejects bad input with typed errors", () => {
    assert.equal(keyTypeHex("gran"), "6772616e");
    assert.throws(() => keystore.insert("au", alice.secretKey, alice.publicKey), {
      code: "INVALID_KEY_TYPE",
    });
    assert.throws(() => keystore.list("aurae"), { code: "INVALID_KEY_TYPE" });
    assert.throws(() => keystore.insert("aura", seed(1).slice(1), alice.publicKey), {
      code: "INVALID_SEED",
    });
    assert.throws(() => keystore.get("aura", new Uint8Array(31)), { code: "INVALID_PUBLIC_KEY" });
    assert.throws(() => keystore.insert("aura", bob.secretKey, alice.publicKey), {
      code: "KEY_MISMATCH",
    });
  });

  it("reports a corrupt file instead of guessing", () => {
    const carol = keypairFromSeed(seed(3));
    const file = join(keystore.directory, `61757261${hex(carol.publicKey)}`);
    writeFileSync(file, "not json");
    assert.throws(() => keystore.get("aura", carol.publicKey), { code: "KEYSTORE_CORRUPT" });
    writeFileSync(file, JSON.stringify(`0x${"02".repeat(32)}`));
    assert.throws(() => keystore.get("aura", carol.publicKey), { code: "KEYSTORE_CORRUPT" });
  });
});

describe("node key", () => {
  const path = nodeKeyPath(join(base, "chains", "local"));

  it("lives at network/secret_ed25519", () => {
    assert.equal(path, join(base, "chains", "local", "network", "secret_ed25519"));
  });

  it("is missing until created, then stable, raw 32 bytes, 0600", () => {
    assert.throws(() => loadNodeKey(path), { code: "NETWORK_KEY_NOT_FOUND" });
    const first = loadOrCreateNodeKey(path);
    assert.equal(first.created, true);
    assert.equal(first.secret.length, 32);
    assert.deepEqual(new Uint8Array(readFileSync(path)), first.secret);
    assert.equal(mode(path), 0o600);
    assert.equal(mode(join(base, "chains", "local", "network")), 0o700);
    const second = loadOrCreateNodeKey(path);
    assert.equal(second.created, false);
    assert.deepEqual(second.secret, first.secret);
  });

  it("accepts a hex file and rejects a malformed one", () => {
    const hexPath = join(base, "hex_key");
    writeFileSync(hexPath, `${"ab".repeat(32)}\n`);
    assert.deepEqual(loadNodeKey(hexPath), new Uint8Array(32).fill(0xab));
    const badPath = join(base, "bad_key");
    writeFileSync(badPath, new Uint8Array(31));
    assert.throws(() => loadOrCreateNodeKey(badPath), { code: "NODE_KEY_INVALID" });
  });
});
