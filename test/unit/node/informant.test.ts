import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatConsensusSessionLine,
  formatImportedLine,
  formatPreparedBlockLine,
  formatPreSealedLine,
  formatReorgLine,
  formatStatusLine,
  formatSyncSpeed,
  formatTransferRate,
  Informant,
  type StatusSnapshot,
  shortHash,
} from "../../../node/informant.ts";

const H = (prefix: string, suffix: string) => `0x${prefix}${"0".repeat(56)}${suffix}`;
const best = { number: 1234, hash: H("0a4a", "c92c") };
const finalized = { number: 1231, hash: H("0069", "1832") };

describe("informant formatting", () => {
  it("shortens hashes to 4 hex … 4 hex", () => {
    assert.equal(shortHash(best.hash), "0x0a4a…c92c");
    assert.equal(shortHash("0x1234"), "0x1234");
  });

  it("formats transfer rates like Substrate", () => {
    assert.equal(formatTransferRate(0), "0");
    assert.equal(formatTransferRate(1), "1 B/s");
    assert.equal(formatTransferRate(99), "99 B/s");
    assert.equal(formatTransferRate(100), "0.1kiB/s");
    assert.equal(formatTransferRate(8499), "8.3kiB/s");
    assert.equal(formatTransferRate(1024 * 1024 - 1), "1024.0kiB/s");
    assert.equal(formatTransferRate(1024 * 1024), "1.0MiB/s");
    assert.equal(formatTransferRate(1_258_291), "1.2MiB/s");
    // Exact ties round to even like Rust's `{:.1}`: 0.25 → 0.2, 0.75 → 0.8.
    assert.equal(formatTransferRate(256), "0.2kiB/s");
    assert.equal(formatTransferRate(768), "0.8kiB/s");
  });

  it("formats sync speed with width 4 and truncated tenths", () => {
    assert.equal(formatSyncSpeed(undefined), "");
    assert.equal(formatSyncSpeed({ blocks: 0, elapsedMs: 5000 }), "  0.0 bps");
    assert.equal(formatSyncSpeed({ blocks: 206, elapsedMs: 5000 }), " 41.2 bps");
    assert.equal(formatSyncSpeed({ blocks: 2, elapsedMs: 3000 }), "  0.6 bps");
    assert.equal(formatSyncSpeed({ blocks: 5000, elapsedMs: 1000 }), " 5000.0 bps");
    assert.equal(formatSyncSpeed({ blocks: 3, elapsedMs: 0 }), "  0.0 bps");
  });

  it("prints the idle status line", () => {
    const line = formatStatusLine({
      sync: { kind: "idle" },
      peers: 12,
      best,
      finalized,
      bytesInPerSecond: 8499,
      bytesOutPerSecond: 7680,
    });
    assert.equal(
      line,
      "💤 Idle (12 peers), best: #1234 (0x0a4a…c92c), finalized #1231 (0x0069…1832), ⬇ 8.3kiB/s ⬆ 7.5kiB/s",
    );
  });

  it("prints the syncing and preparing variants", () => {
    const base = {
      peers: 8,
      best,
      finalized,
      bytesInPerSecond: 1_258_291,
      bytesOutPerSecond: 30_822,
    };
    assert.equal(
      formatStatusLine({
        ...base,
        sync: { kind: "syncing", target: 90000 },
        speed: { blocks: 206, elapsedMs: 5000 },
      }),
      "⚙️  Syncing 41.2 bps, target=#90000 (8 peers), best: #1234 (0x0a4a…c92c), finalized #1231 (0x0069…1832), ⬇ 1.2MiB/s ⬆ 30.1kiB/s",
    );
    assert.equal(
      formatStatusLine({ ...base, sync: { kind: "preparing", target: 7 } }),
      "⚙️  Preparing, target=#7 (8 peers), best: #1234 (0x0a4a…c92c), finalized #1231 (0x0069…1832), ⬇ 1.2MiB/s ⬆ 30.1kiB/s",
    );
  });

  it("prints full hashes when asked (debug logging)", () => {
    const line = formatStatusLine(
      {
        sync: { kind: "idle" },
        peers: 0,
        best,
        finalized,
        bytesInPerSecond: 0,
        bytesOutPerSecond: 0,
      },
      { fullHashes: true },
    );
    assert.equal(
      line,
      `💤 Idle (0 peers), best: #1234 (${best.hash}), finalized #1231 (${finalized.hash}), ⬇ 0 ⬆ 0`,
    );
  });

  it("prints imported and reorg lines", () => {
    const parentHash = H("2e55", "42d9");
    const hash = H("faf6", "0784");
    assert.equal(
      formatImportedLine({ number: 1, parentHash, hash, isNewBest: true }),
      "🏆 Imported #1 (0x2e55…42d9 → 0xfaf6…0784)",
    );
    assert.equal(
      formatImportedLine({ number: 1, parentHash, hash, isNewBest: false }),
      "🆕 Imported #1 (0x2e55…42d9 → 0xfaf6…0784)",
    );
    assert.equal(
      formatReorgLine(
        { number: 10, hash: H("aaaa", "bbbb") },
        { number: 11, hash: H("cccc", "dddd") },
        { number: 8, hash: H("eeee", "ffff") },
      ),
      "♻️  Reorg on #10,0xaaaa…bbbb to #11,0xcccc…dddd, common ancestor #8,0xeeee…ffff",
    );
  });

  it("prints the authoring lines", () => {
    const parent = H("2e55", "42d9");
    const pre = H("f2a2", "5b7c");
    const post = H("faf6", "0784");
    assert.equal(
      formatConsensusSessionLine(parent),
      `🙌 Starting consensus session on top of parent ${parent}`,
    );
    assert.equal(
      formatConsensusSessionLine(parent, 0),
      `🙌 Starting consensus session on top of parent ${parent} (#0)`,
    );
    assert.equal(
      formatPreparedBlockLine({
        number: 1,
        tookMs: 1.7,
        hash: pre,
        parentHash: parent,
        extrinsicHashes: [H("0bf5", "e66e"), H("7af7", "7dc6")],
      }),
      `🎁 Prepared block for proposing at 1 (1 ms) [hash: ${pre}; parent_hash: 0x2e55…42d9; extrinsics (2): [0x0bf5…e66e, 0x7af7…7dc6]]`,
    );
    assert.equal(
      formatPreparedBlockLine({
        number: 2,
        tookMs: 0,
        hash: pre,
        parentHash: parent,
        extrinsicHashes: [],
      }),
      `🎁 Prepared block for proposing at 2 (0 ms) [hash: ${pre}; parent_hash: 0x2e55…42d9; extrinsics (0): []]`,
    );
    assert.equal(
      formatPreSealedLine(1, post, pre),
      `🔖 Pre-sealed block for proposal at 1. Hash now ${post}, previously ${pre}.`,
    );
  });
});

describe("Informant", () => {
  it("logs the status line with speed and averaged rates", async () => {
    let now = 0;
    let snapshot: StatusSnapshot = {
      sync: { kind: "syncing", target: 500 },
      peers: 3,
      best: { number: 100, hash: best.hash },
      finalized,
      totalBytesInbound: 10_240,
      totalBytesOutbound: 50,
    };
    const lines: string[] = [];
    const informant = new Informant({
      status: () => snapshot,
      log: { info: (line) => lines.push(line) },
      now: () => now,
    });
    now = 5000;
    await informant.tick();
    snapshot = {
      ...snapshot,
      best: { number: 150, hash: best.hash },
      totalBytesInbound: 61_440,
      totalBytesOutbound: 550,
    };
    now = 10_000;
    await informant.tick();
    assert.deepEqual(lines, [
      "⚙️  Syncing, target=#500 (3 peers), best: #100 (0x0a4a…c92c), finalized #1231 (0x0069…1832), ⬇ 2.0kiB/s ⬆ 10 B/s",
      "⚙️  Syncing 10.0 bps, target=#500 (3 peers), best: #150 (0x0a4a…c92c), finalized #1231 (0x0069…1832), ⬇ 10.0kiB/s ⬆ 0.1kiB/s",
    ]);
  });

  it("ticks on its interval until stopped and survives a failing provider", async () => {
    const lines: string[] = [];
    let calls = 0;
    const informant = new Informant({
      intervalMs: 5,
      status: () => {
        calls += 1;
        if (calls === 1) throw new Error("not ready");
        return {
          sync: { kind: "idle" },
          peers: 0,
          best,
          finalized,
          totalBytesInbound: 0,
          totalBytesOutbound: 0,
        };
      },
      log: { info: (line) => lines.push(line) },
    });
    informant.start();
    informant.start(); // idempotent
    while (lines.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    informant.stop();
    const count = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(lines.length, count);
    assert.ok(lines.every((line) => line.startsWith("💤 Idle (0 peers)")));
  });
});
