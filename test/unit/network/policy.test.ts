// The network's pure parts: peer scores, quotas, redial backoff, the bounded gossip queue, the
// wire messages and protocol names. Clocks are injected, so nothing here waits.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BoundedQueue } from "../../../node/network/gossip-queue.ts";
import {
  decodeBlocksRequest,
  decodeResponse,
  decodeStatus,
  encodeBlocksRequest,
  encodeResponse,
  encodeStatus,
  REFUSAL,
} from "../../../node/network/messages.ts";
import { PeerScores } from "../../../node/network/peer-scores.ts";
import { genesisPrefix, protocolIds } from "../../../node/network/protocols.ts";
import { RateLimiter } from "../../../node/network/rate-limiter.ts";
import { RedialSchedule } from "../../../node/network/redial.ts";
import { GENESIS_A, syntheticChain } from "./fixtures.ts";

function clock(start = 1_000_000) {
  const c = { now: start, read: () => c.now };
  return c;
}

describe("PeerScores", () => {
  const config = {
    halfLifeMs: 1000,
    disconnectThreshold: -50,
    banThreshold: -80,
    banDurationMs: 10_000,
    minScore: -100,
    maxScore: 100,
  };

  it("lowers the score, disconnects below one threshold and bans below the other", () => {
    const t = clock();
    const scores = new PeerScores(config, t.read);
    assert.equal(scores.score("p"), 0);
    assert.equal(scores.report("p", 30), "none");
    assert.equal(scores.exclusion("p"), null);
    assert.equal(scores.report("p", 30), "disconnect");
    assert.deepEqual(scores.exclusion("p"), { reason: "low-score" });
    assert.equal(scores.report("p", 30), "ban");
    assert.deepEqual(scores.exclusion("p"), { reason: "banned", until: t.now + 10_000 });
    assert.equal(scores.report("p", 1000), "ban");
    assert.equal(scores.score("p"), -100, "clamped at minScore");
  });

  it("decays towards zero with the configured half-life", () => {
    const t = clock();
    const scores = new PeerScores(config, t.read);
    scores.report("p", 40);
    t.now += 1000;
    assert.ok(Math.abs(scores.score("p") + 20) < 1e-9);
    t.now += 2000;
    assert.ok(Math.abs(scores.score("p") + 5) < 1e-9);
    scores.report("q", -500);
    assert.equal(scores.score("q"), 100, "clamped at maxScore");
  });

  it("keeps a ban for its duration even after the score heals, then lifts it", () => {
    const t = clock();
    const scores = new PeerScores(config, t.read);
    scores.report("p", 90);
    t.now += 9_999;
    assert.equal(scores.exclusion("p")?.reason, "banned");
    t.now += 2;
    assert.equal(scores.exclusion("p"), null, "score decayed to ~0 and the ban expired");
  });

  it("bans outright with a reason, and stays within its capacity", () => {
    const t = clock();
    const scores = new PeerScores({ ...config, capacity: 3 }, t.read);
    scores.ban("other", 5000, "other-chain");
    assert.equal(scores.banReason("other"), "other-chain");
    for (const p of ["a", "b", "c", "d"]) scores.report(p, 10);
    assert.ok(scores.size <= 3);
    assert.equal(scores.banReason("other"), "other-chain", "a banned peer is evicted last");
  });

  it("refuses a ban threshold above the disconnect threshold", () => {
    assert.throws(
      () => new PeerScores({ disconnectThreshold: -80, banThreshold: -50 }),
      RangeError,
    );
  });
});

describe("RateLimiter", () => {
  it("allows a burst, refuses beyond it, and refills over time", () => {
    const t = clock();
    const limiter = new RateLimiter({ burst: 3, perSecond: 2 }, 100, t.read);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => limiter.tryTake("p")),
      [true, true, true, false],
    );
    assert.equal(limiter.tryTake("q"), true, "buckets are per key");
    t.now += 500;
    assert.equal(limiter.tryTake("p"), true, "one token back after half a second");
    assert.equal(limiter.tryTake("p"), false);
  });

  it("is bounded: idle buckets are forgotten first", () => {
    const t = clock();
    const limiter = new RateLimiter({ burst: 2, perSecond: 1 }, 2, t.read);
    limiter.tryTake("a");
    limiter.tryTake("b");
    t.now += 5000;
    limiter.tryTake("c");
    assert.ok(limiter.size <= 2);
  });
});

describe("RedialSchedule", () => {
  it("doubles the backoff per attempt up to the maximum, and resets after a handshake", () => {
    const schedule = new RedialSchedule({ initialMs: 100, maxMs: 300 });
    schedule.add("p", "/ip4/127.0.0.1/tcp/1/p2p/p");
    const disconnected = () => false;
    assert.equal(schedule.due(0, disconnected).length, 1);
    schedule.started("p", 0);
    assert.equal(schedule.due(0, disconnected).length, 0, "not while dialing");
    schedule.finished("p");
    assert.equal(schedule.due(99, disconnected).length, 0);
    assert.equal(schedule.due(100, disconnected).length, 1);
    schedule.started("p", 100);
    schedule.finished("p");
    assert.equal(schedule.due(299, disconnected).length, 0, "second wait is 200 ms");
    schedule.started("p", 300);
    schedule.finished("p");
    assert.equal(schedule.due(599, disconnected).length, 0, "capped at 300 ms");
    assert.equal(schedule.due(600, disconnected).length, 1);
    schedule.welcomed("p");
    schedule.started("p", 600);
    schedule.finished("p");
    assert.equal(schedule.due(700, disconnected).length, 1, "back to 100 ms");
    assert.equal(schedule.due(10_000, () => true).length, 0, "never while connected");
    schedule.deferUntil("p", 20_000);
    assert.equal(schedule.due(19_999, disconnected).length, 0);
    assert.ok(schedule.remove("p"));
    assert.deepEqual(schedule.peerIds(), []);
  });
});

describe("BoundedQueue", () => {
  it("runs at most `concurrency` items, holds at most `capacity`, and refuses the rest", async () => {
    const releases: (() => void)[] = [];
    const done: number[] = [];
    const queue = new BoundedQueue<number>(2, 1, async (n) => {
      await new Promise<void>((resolve) => releases.push(resolve));
      done.push(n);
    });
    assert.equal(queue.push(1), true, "taken by the worker at once");
    assert.equal(queue.push(2), true);
    assert.equal(queue.push(3), true);
    assert.equal(queue.push(4), false, "full");
    assert.equal(queue.length, 2);
    while (done.length < 3) {
      await new Promise((resolve) => setImmediate(resolve));
      releases.shift()?.();
    }
    await queue.idle();
    assert.deepEqual(done, [1, 2, 3]);
  });

  it("survives a failing worker and discards waiting items on close", async () => {
    let calls = 0;
    const queue = new BoundedQueue<number>(10, 1, async () => {
      calls += 1;
      throw new Error("boom");
    });
    queue.push(1);
    queue.push(2);
    await queue.idle();
    assert.equal(calls, 2);
    assert.deepEqual(queue.close(), []);
    assert.equal(queue.push(3), false, "closed");
  });
});

describe("wire messages", () => {
  const chain = syntheticChain(GENESIS_A, 6);
  const status = {
    genesisHash: GENESIS_A,
    best: { hash: chain[5]!.hash, number: 5 },
    finalized: { hash: chain[0]!.hash, number: 0 },
    roles: "full" as const,
  };

  it("round-trips statuses, requests and responses", () => {
    assert.deepEqual(decodeStatus(encodeStatus(status)), status);
    const authority = { ...status, roles: "authority" as const };
    assert.deepEqual(decodeStatus(encodeStatus(authority)), authority);
    assert.deepEqual(decodeBlocksRequest(encodeBlocksRequest({ fromNumber: 0, count: 4 })), {
      fromNumber: 0,
      count: 4,
    });
    const byHash = { fromHash: chain[3]!.hash, count: 2 };
    assert.deepEqual(decodeBlocksRequest(encodeBlocksRequest(byHash)), byHash);
    const blocks = chain.slice(3, 6);
    assert.deepEqual(decodeResponse(encodeResponse({ kind: "blocks", blocks }), 1 << 20), {
      kind: "blocks",
      blocks,
    });
    assert.deepEqual(decodeResponse(encodeResponse({ kind: "blocks", blocks: [] }), 1 << 20), {
      kind: "blocks",
      blocks: [],
    });
    const refusal = { kind: "refusal", code: REFUSAL.overQuota, reason: "slow down" } as const;
    assert.deepEqual(decodeResponse(encodeResponse(refusal), 1 << 20), refusal);
  });

  it("refuses malformed messages", () => {
    assert.throws(() => decodeStatus(new Uint8Array([0xff, 0xff])), { name: "CodecError" });
    assert.throws(() => decodeStatus(encodeStatus({ ...status, genesisHash: new Uint8Array(3) })), {
      code: "BAD_RESPONSE",
    });
    assert.throws(
      () =>
        decodeStatus(encodeStatus({ ...status, finalized: { hash: chain[5]!.hash, number: 9 } })),
      /finalized block above the best/,
    );
    assert.throws(() => decodeBlocksRequest(encodeBlocksRequest({ fromNumber: 1, count: 0 })), {
      code: "BAD_RESPONSE",
    });
    const big = encodeResponse({ kind: "blocks", blocks: chain });
    assert.throws(() => decodeResponse(big, 10), { code: "OVERSIZE" });
  });

  it("names protocols and topics after the genesis hash, with a version", () => {
    const prefix = genesisPrefix(GENESIS_A);
    assert.match(prefix, /^[0-9a-f]{8}$/);
    const ids = protocolIds(GENESIS_A);
    assert.equal(ids.status, `/lineage/${prefix}/status/1`);
    assert.equal(ids.blocks, `/lineage/${prefix}/blocks/1`);
    assert.deepEqual(ids.topics, {
      blocks: `/lineage/${prefix}/blocks/1`,
      transactions: `/lineage/${prefix}/transactions/1`,
      finality: `/lineage/${prefix}/finality/1`,
    });
  });
});
