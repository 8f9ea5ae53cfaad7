import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generateKeypair, type SignedMessage, sign, verifyFast } from "../../../primitives/keys.ts";
import { SignatureVerifier } from "../../../primitives/signature-verifier.ts";

/** Every third item is tampered in a different part, so the batch mixes valid and invalid. */
function mixedBatch(count: number): SignedMessage[] {
  const keys = [generateKeypair(), generateKeypair(), generateKeypair()];
  const items: SignedMessage[] = [];
  for (let i = 0; i < count; i++) {
    const key = keys[i % keys.length]!;
    const message = new TextEncoder().encode(`transfer #${i}`);
    const signature = sign(key.secretKey, message);
    if (i % 3 === 1) signature[i % 64]! ^= 1;
    const publicKey = i % 7 === 2 ? keys[(i + 1) % keys.length]!.publicKey : key.publicKey;
    items.push({ signature, message, publicKey });
  }
  return items;
}

describe("SignatureVerifier", () => {
  it("answers exactly like verifyFast on mixed batches, inline and on workers", async () => {
    const verifier = new SignatureVerifier({ workers: 3 });
    try {
      for (const count of [0, 1, 15, 16, 17, 100, 501]) {
        const items = mixedBatch(count);
        const expected = items.map((x) => verifyFast(x.signature, x.message, x.publicKey));
        assert.deepEqual(await verifier.verifyBatch(items), expected, `batch of ${count}`);
        if (count > 3) assert.ok(expected.includes(true) && expected.includes(false));
      }
      // Concurrent batches share the pool without mixing answers.
      const batches = [mixedBatch(64), mixedBatch(200), mixedBatch(33)];
      const answers = await Promise.all(batches.map((b) => verifier.verifyBatch(b)));
      batches.forEach((batch, i) => {
        const expected = batch.map((x) => verifyFast(x.signature, x.message, x.publicKey));
        assert.deepEqual(answers[i], expected);
      });
    } finally {
      await verifier.close();
    }
  });

  it("sizes the pool to the cores by default, at least one", async () => {
    const verifier = new SignatureVerifier();
    assert.ok(verifier.size >= 1);
    await verifier.close();
    assert.equal(new SignatureVerifier({ workers: 0 }).size, 1);
  });

  it("rejects batches after close", async () => {
    const verifier = new SignatureVerifier({ workers: 1 });
    await verifier.verifyBatch(mixedBatch(40));
    await verifier.close();
    await assert.rejects(verifier.verifyBatch(mixedBatch(40)), { code: "VERIFIER_CLOSED" });
  });

  it("lets the process exit after close", () => {
    const verifierUrl = new URL("../../../primitives/signature-verifier.ts", import.meta.url).href;
    const keysUrl = new URL("../../../primitives/keys.ts", import.meta.url).href;
    const script = `
      import { SignatureVerifier } from ${JSON.stringify(verifierUrl)};
      import { generateKeypair, sign } from ${JSON.stringify(keysUrl)};
      const key = generateKeypair();
      const items = Array.from({ length: 64 }, (_, i) => {
        const message = new Uint8Array([i]);
        return { signature: sign(key.secretKey, message), message, publicKey: key.publicKey };
      });
      const verifier = new SignatureVerifier({ workers: 2 });
      const results = await verifier.verifyBatch(items);
      await verifier.close();
      console.log(results.every(Boolean) ? "ok" : "bad");
    `;
    // A file, not --eval: workers inherit execArgv, and --input-type is refused in a worker.
    const dir = mkdtempSync(join(tmpdir(), "lineage-verifier-"));
    const file = join(dir, "exit-after-close.mjs");
    writeFileSync(file, script);
    const child = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 20_000 });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(child.signal, null, "child did not exit by itself");
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), "ok");
  });
});
