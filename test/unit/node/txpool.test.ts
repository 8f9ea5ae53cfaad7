import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type BlockRef,
  limitsFromCli,
  PoolError,
  type PooledTransaction,
  TransactionPool,
  type TransactionPoolOptions,
  type ValidTransaction,
} from "../../../node/txpool/index.ts";
import { toHex, utf8 } from "../../../primitives/bytes.ts";
import { LineageError } from "../../../primitives/errors.ts";
import { hash } from "../../../primitives/hash.ts";
import type { RpcTransactionStatus } from "../../../rpc/node-api.ts";

// A fake runtime: a transaction is JSON naming a sender, a nonce and a tip; the "chain" is a map of
// account nonces, like FRAME's CheckNonce (provides (sender, nonce), requires (sender, nonce - 1)
// when ahead of state, stale when behind).
interface FakeTx {
  sender: string;
  nonce: number;
  tip?: number;
  longevity?: number;
  /** Extra tags provided, to build multi-tag replacements. */
  also?: string[];
  /** Makes otherwise equal transactions differ. */
  salt?: string;
  /** Padding to control the byte size. */
  pad?: string;
  badProof?: boolean;
}

function tx(fields: FakeTx): Uint8Array {
  return utf8(JSON.stringify(fields));
}

function tag(sender: string, nonce: number): Uint8Array {
  return utf8(`${sender}/${nonce}`);
}

class FakeChain {
  readonly nonces = new Map<string, number>();
  validations = 0;
  /** Validation "could not tell" (not a TX_ error) while set. */
  unknown = false;

  validate = (bytes: Uint8Array, _at: BlockRef): ValidTransaction => {
    this.validations++;
    if (this.unknown) throw new Error("state unavailable");
    const t = JSON.parse(new TextDecoder().decode(bytes)) as FakeTx;
    if (t.badProof) throw new LineageError("TX_BAD_PROOF", "Transaction has a bad signature");
    const current = this.nonces.get(t.sender) ?? 0;
    if (t.nonce < current) throw new LineageError("TX_STALE", "Transaction is outdated");
    return {
      priority: BigInt(t.tip ?? 0),
      provides: [tag(t.sender, t.nonce), ...(t.also ?? []).map(utf8)],
      requires: t.nonce > current ? [tag(t.sender, t.nonce - 1)] : [],
      longevity: t.longevity ?? 64,
      propagate: true,
    };
  };
}

function setup(options: Partial<TransactionPoolOptions> = {}) {
  const chain = new FakeChain();
  const clock = { ms: 1_000_000 };
  const pool = new TransactionPool({
    validate: chain.validate,
    best: { number: 0, hash: new Uint8Array(32) },
    now: () => clock.ms,
    ...options,
  });
  return { pool, chain, clock };
}

function blockHash(n: number): Uint8Array {
  return hash(utf8(`block ${n}`));
}

/** Records the statuses a listener receives. */
function recorder(): {
  statuses: RpcTransactionStatus[];
  listener: (s: RpcTransactionStatus) => void;
} {
  const statuses: RpcTransactionStatus[] = [];
  return { statuses, listener: (s) => statuses.push(s) };
}

function order(txs: Iterable<PooledTransaction>): string[] {
  return [...txs].map((t) => {
    const f = JSON.parse(new TextDecoder().decode(t.bytes)) as FakeTx;
    return `${f.sender}${f.nonce}`;
  });
}

async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LineageError);
    assert.equal(error.code, code);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

describe("admission", () => {
  test("returns the blake2b-256 hash and refuses a duplicate with 1013", async () => {
    const { pool } = setup();
    const bytes = tx({ sender: "alice", nonce: 0 });
    const h = await pool.submit(bytes);
    assert.equal(toHex(h), toHex(hash(bytes)));
    await rejects(pool.submit(bytes), "POOL_ALREADY_IMPORTED");
  });

  test("a duplicate submitted while the first is still validating gets 1013", async () => {
    const { pool } = setup();
    const bytes = tx({ sender: "alice", nonce: 0 });
    const first = pool.submit(bytes);
    await rejects(pool.submit(bytes), "POOL_ALREADY_IMPORTED");
    await first;
  });

  test("a gap-free nonce is ready, one ahead waits in future until the gap fills (cascade)", async () => {
    const { pool } = setup();
    const a2 = recorder();
    await pool.submitAndWatch(tx({ sender: "alice", nonce: 2 }), "external", a2.listener);
    await pool.submit(tx({ sender: "alice", nonce: 1 }));
    assert.deepEqual(pool.status(), {
      ready: 0,
      readyBytes: 0,
      future: 2,
      futureBytes: tx({ sender: "alice", nonce: 2 }).length * 2,
    });
    await pool.submit(tx({ sender: "alice", nonce: 0 }));
    assert.equal(pool.status().ready, 3);
    assert.equal(pool.status().future, 0);
    assert.deepEqual(order(pool.ready()), ["alice0", "alice1", "alice2"]);
    assert.deepEqual(a2.statuses, ["future", "ready"]);
  });

  test("validation errors propagate and ban the transaction until the ban expires", async () => {
    const { pool, chain, clock } = setup();
    chain.nonces.set("alice", 5);
    const stale = tx({ sender: "alice", nonce: 4 });
    await rejects(pool.submit(stale), "TX_STALE");
    assert.ok(pool.isBanned(hash(stale)));
    const before = chain.validations;
    await rejects(pool.submit(stale), "POOL_TEMPORARILY_BANNED");
    assert.equal(chain.validations, before, "a banned transaction is not validated again");
    clock.ms += 1800 * 1000;
    await rejects(pool.submit(stale), "TX_STALE");
  });

  test("an error that is not a runtime verdict does not ban", async () => {
    const { pool, chain } = setup();
    chain.unknown = true;
    const bytes = tx({ sender: "alice", nonce: 0 });
    await assert.rejects(pool.submit(bytes), /state unavailable/);
    chain.unknown = false;
    await pool.submit(bytes);
  });

  test("ban time 0 (dev) bans nothing", async () => {
    const { pool } = setup({ banTimeSeconds: 0 });
    const bad = tx({ sender: "alice", nonce: 0, badProof: true });
    await rejects(pool.submit(bad), "TX_BAD_PROOF");
    await rejects(pool.submit(bad), "TX_BAD_PROOF");
  });

  test("the ban list is capped, forgetting the oldest ban first", async () => {
    const { pool } = setup({ banListCapacity: 2 });
    const bad = [0, 1, 2].map((n) => tx({ sender: "mallory", nonce: n, badProof: true }));
    for (const b of bad) await rejects(pool.submit(b), "TX_BAD_PROOF");
    assert.deepEqual(
      bad.map((b) => pool.isBanned(hash(b))),
      [false, true, true],
    );
  });

  test("an oversized transaction is refused before validation", async () => {
    const { pool, chain } = setup({ maxTransactionBytes: 64 });
    await rejects(
      pool.submit(tx({ sender: "alice", nonce: 0, pad: "x".repeat(64) })),
      "POOL_TOO_LARGE",
    );
    assert.equal(chain.validations, 0);
  });

  test("a transaction without tags or requiring its own tag is refused", async () => {
    const noTags = new TransactionPool({
      validate: () => ({ priority: 0n, provides: [], requires: [], longevity: 8, propagate: true }),
      best: { number: 0, hash: new Uint8Array(32) },
    });
    await rejects(noTags.submit(utf8("x")), "POOL_NO_TAGS_PROVIDED");
    const selfish = new TransactionPool({
      validate: () => ({
        priority: 0n,
        provides: [utf8("t")],
        requires: [utf8("t")],
        longevity: 8,
        propagate: true,
      }),
      best: { number: 0, hash: new Uint8Array(32) },
    });
    await rejects(selfish.submit(utf8("x")), "POOL_CYCLE_DETECTED");
  });

  test("hasTag sees ready and future transactions", async () => {
    const { pool } = setup();
    await pool.submit(tx({ sender: "alice", nonce: 0 }));
    await pool.submit(tx({ sender: "alice", nonce: 2 }));
    assert.deepEqual(
      [0, 1, 2].map((n) => pool.hasTag(tag("alice", n))),
      [true, false, true],
    );
  });
});

describe("replacement", () => {
  test("an equal priority gets 1014 with both numbers; a higher one usurps", async () => {
    const { pool } = setup();
    const old = recorder();
    const first = await pool.submitAndWatch(
      tx({ sender: "alice", nonce: 0, tip: 5 }),
      "external",
      old.listener,
    );
    await rejects(
      pool.submit(tx({ sender: "alice", nonce: 0, tip: 5, salt: "b" })),
      "POOL_TOO_LOW_PRIORITY",
      /Priority is too low: \(5 vs 5\)/,
    );
    const better = await pool.submit(tx({ sender: "alice", nonce: 0, tip: 6, salt: "c" }));
    assert.deepEqual(old.statuses, ["ready", { usurped: toHex(better) }]);
    assert.equal(pool.has(first.hash), false);
    assert.equal(pool.status().ready, 1);
  });

  test("a transaction replacing several must beat the sum of their priorities", async () => {
    const { pool } = setup();
    await pool.submit(tx({ sender: "alice", nonce: 0, tip: 3 }));
    await pool.submit(tx({ sender: "bob", nonce: 0, tip: 4 }));
    const both = { sender: "alice", nonce: 0, also: ["bob/0"] };
    await rejects(pool.submit(tx({ ...both, tip: 7 })), "POOL_TOO_LOW_PRIORITY", /\(7 vs 7\)/);
    await pool.submit(tx({ ...both, tip: 8 }));
    assert.equal(pool.status().ready, 1);
  });

  test("a future transaction is replaced the same way", async () => {
    const { pool } = setup();
    const w = recorder();
    await pool.submitAndWatch(tx({ sender: "alice", nonce: 3, tip: 1 }), "external", w.listener);
    const h = await pool.submit(tx({ sender: "alice", nonce: 3, tip: 2 }));
    assert.deepEqual(w.statuses, ["future", { usurped: toHex(h) }]);
  });

  test("dependents of a replaced ready transaction stay ready when the replacement is ready", async () => {
    const { pool } = setup();
    await pool.submit(tx({ sender: "alice", nonce: 0, tip: 1 }));
    const child = recorder();
    await pool.submitAndWatch(tx({ sender: "alice", nonce: 1 }), "external", child.listener);
    await pool.submit(tx({ sender: "alice", nonce: 0, tip: 2 }));
    assert.deepEqual(child.statuses, ["ready"]);
    assert.deepEqual(order(pool.ready()), ["alice0", "alice1"]);
  });
});

describe("limits", () => {
  const tiny = { ready: { count: 2, bytes: 1 << 20 }, future: { count: 1, bytes: 1 << 20 } };

  test("a full ready queue evicts the lowest priority, which is dropped and banned", async () => {
    const { pool } = setup({ limits: tiny });
    await pool.submit(tx({ sender: "a", nonce: 0, tip: 5 }));
    const low = recorder();
    const weak = tx({ sender: "b", nonce: 0, tip: 3 });
    await pool.submitAndWatch(weak, "external", low.listener);
    await pool.submit(tx({ sender: "c", nonce: 0, tip: 4 }));
    assert.deepEqual(order(pool.ready()), ["a0", "c0"]);
    assert.deepEqual(low.statuses, ["ready", "dropped"]);
    await rejects(pool.submit(weak), "POOL_TEMPORARILY_BANNED");
  });

  test("a newcomer that would be the one evicted gets 1016 (ties drop the newest)", async () => {
    const { pool } = setup({ limits: tiny });
    await pool.submit(tx({ sender: "a", nonce: 0, tip: 5 }));
    await pool.submit(tx({ sender: "b", nonce: 0, tip: 3 }));
    await rejects(pool.submit(tx({ sender: "c", nonce: 0, tip: 1 })), "POOL_IMMEDIATELY_DROPPED");
    const watcher = recorder();
    await rejects(
      pool.submitAndWatch(tx({ sender: "d", nonce: 0, tip: 3 }), "external", watcher.listener),
      "POOL_IMMEDIATELY_DROPPED",
    );
    assert.deepEqual(watcher.statuses, [], "a refused submission sends no status");
    assert.deepEqual(order(pool.ready()), ["a0", "b0"]);
  });

  test("the future queue has its own limit", async () => {
    const { pool } = setup({ limits: tiny });
    await pool.submit(tx({ sender: "a", nonce: 1, tip: 2 }));
    await rejects(pool.submit(tx({ sender: "b", nonce: 1, tip: 1 })), "POOL_IMMEDIATELY_DROPPED");
    await pool.submit(tx({ sender: "c", nonce: 1, tip: 3 }));
    assert.equal(pool.status().future, 1);
    assert.equal(pool.hasTag(tag("a", 1)), false);
  });

  test("the byte limit counts too", async () => {
    const big = (s: string, tip: number) => tx({ sender: s, nonce: 0, tip, pad: "x".repeat(100) });
    const bytes = big("a", 1).length;
    const { pool } = setup({
      limits: { ready: { count: 100, bytes: bytes * 2 }, future: { count: 10, bytes: 1000 } },
    });
    await pool.submit(big("a", 1));
    await pool.submit(big("b", 2));
    await pool.submit(big("c", 3));
    assert.deepEqual(order(pool.ready()), ["c0", "b0"]);
    assert.equal(pool.status().readyBytes, bytes * 2);
  });

  test("evicting a ready transaction sends its dependents back to future", async () => {
    const { pool } = setup({
      limits: { ready: { count: 2, bytes: 1 << 20 }, future: tiny.future },
    });
    const child = recorder();
    await pool.submit(tx({ sender: "a", nonce: 0, tip: 1 }));
    await pool.submitAndWatch(tx({ sender: "a", nonce: 1, tip: 10 }), "external", child.listener);
    await pool.submit(tx({ sender: "b", nonce: 0, tip: 5 }));
    assert.deepEqual(order(pool.ready()), ["b0"]);
    assert.deepEqual(child.statuses, ["ready", "future"]);
    assert.equal(pool.hasTag(tag("a", 0)), false);
  });

  test("limitsFromCli gives future a tenth of ready, as sc-cli", () => {
    assert.deepEqual(limitsFromCli(8192, 20480), {
      ready: { count: 8192, bytes: 20480 * 1024 },
      future: { count: 819, bytes: 2048 * 1024 },
    });
  });
});

describe("block building order", () => {
  test("dependencies first, then priority, then arrival", async () => {
    const { pool } = setup();
    await pool.submit(tx({ sender: "alice", nonce: 1, tip: 100 }));
    await pool.submit(tx({ sender: "alice", nonce: 0, tip: 1 }));
    await pool.submit(tx({ sender: "charlie", nonce: 0, tip: 50 }));
    await pool.submit(tx({ sender: "bob", nonce: 0, tip: 50 }));
    await pool.submit(tx({ sender: "dave", nonce: 0, tip: 70 }));
    await pool.submit(tx({ sender: "dave", nonce: 1, tip: 60 }));
    await pool.submit(tx({ sender: "eve", nonce: 1, tip: 99 }));
    assert.deepEqual(order(pool.ready()), [
      "dave0",
      "dave1",
      "charlie0",
      "bob0",
      "alice0",
      "alice1",
    ]);
  });

  test("reportInvalid while building removes the transaction and its dependents, banned", async () => {
    const { pool } = setup();
    const watched = [0, 1, 2].map(() => recorder());
    for (const n of [0, 1, 2]) {
      await pool.submitAndWatch(
        tx({ sender: "alice", nonce: n, tip: 10 }),
        "external",
        watched[n]!.listener,
      );
    }
    await pool.submit(tx({ sender: "bob", nonce: 0, tip: 1 }));
    const built: string[] = [];
    for (const t of pool.ready()) {
      const [name] = order([t]);
      if (name === "alice1") {
        assert.equal(pool.reportInvalid(t.hash).length, 2);
        continue;
      }
      built.push(name!);
    }
    assert.deepEqual(built, ["alice0", "bob0"]);
    assert.deepEqual(order(pool.ready()), ["alice0", "bob0"]);
    assert.deepEqual(
      watched.map((w) => w.statuses.at(-1)),
      ["ready", "invalid", "invalid"],
    );
    await rejects(
      pool.submit(tx({ sender: "alice", nonce: 2, tip: 10 })),
      "POOL_TEMPORARILY_BANNED",
    );
  });

  test("reportInvalid keeps future transactions that wait for the removed tag", async () => {
    const { pool } = setup();
    const a0 = await pool.submit(tx({ sender: "alice", nonce: 0 }));
    await pool.submit(tx({ sender: "alice", nonce: 2 }));
    pool.reportInvalid(a0);
    assert.equal(pool.status().future, 1);
  });
});

describe("block import", () => {
  test("included transactions leave with inBlock and their dependents stay ready", async () => {
    const { pool, chain } = setup();
    const w0 = recorder();
    const w1 = recorder();
    const a0 = await pool.submitAndWatch(
      tx({ sender: "alice", nonce: 0 }),
      "external",
      w0.listener,
    );
    await pool.submitAndWatch(tx({ sender: "alice", nonce: 1 }), "external", w1.listener);
    chain.nonces.set("alice", 1);
    await pool.onBlockImported({
      number: 1,
      hash: blockHash(1),
      includedHashes: [a0.hash],
      revalidate: false,
    });
    assert.deepEqual(order(pool.ready()), ["alice1"]);
    assert.deepEqual(w0.statuses, ["ready", { inBlock: toHex(blockHash(1)) }]);
    assert.deepEqual(w1.statuses, ["ready"]);
    pool.onFinalized(blockHash(1), [a0.hash]);
    assert.deepEqual(w0.statuses.at(-1), { finalized: toHex(blockHash(1)) });
    pool.onFinalized(blockHash(1), [a0.hash]);
    assert.equal(w0.statuses.length, 3, "the stream ends after finalized");
  });

  test("a future transaction whose gap was filled by an included one is promoted", async () => {
    const { pool, chain } = setup();
    const a1 = recorder();
    await pool.submitAndWatch(tx({ sender: "alice", nonce: 1 }), "external", a1.listener);
    const other = hash(tx({ sender: "alice", nonce: 0 }));
    chain.nonces.set("alice", 1);
    await pool.onBlockImported({ number: 1, hash: blockHash(1), includedHashes: [other] });
    assert.deepEqual(a1.statuses, ["future", "ready"]);
  });

  test("longevity runs out at validatedAt + longevity: status invalid, banned", async () => {
    const { pool } = setup();
    const w = recorder();
    const bytes = tx({ sender: "alice", nonce: 0, longevity: 3 });
    await pool.submitAndWatch(bytes, "external", w.listener);
    for (const n of [1, 2]) {
      await pool.onBlockImported({
        number: n,
        hash: blockHash(n),
        includedHashes: [],
        revalidate: false,
      });
    }
    assert.equal(pool.status().ready, 1);
    await pool.onBlockImported({
      number: 3,
      hash: blockHash(3),
      includedHashes: [],
      revalidate: false,
    });
    assert.equal(pool.status().ready, 0);
    assert.deepEqual(w.statuses, ["ready", "invalid"]);
    assert.ok(pool.isBanned(hash(bytes)));
  });

  test("revalidation removes stale transactions and re-sorts the rest", async () => {
    const { pool, chain } = setup();
    const stale = recorder();
    const next = recorder();
    await pool.submitAndWatch(tx({ sender: "alice", nonce: 0 }), "external", stale.listener);
    await pool.submitAndWatch(tx({ sender: "alice", nonce: 1 }), "external", next.listener);
    await pool.submit(tx({ sender: "bob", nonce: 2 }));
    // Another node's alice/0 and bob/0, bob/1 went into block 1.
    chain.nonces.set("alice", 1);
    chain.nonces.set("bob", 2);
    await pool.onBlockImported({ number: 1, hash: blockHash(1), includedHashes: [] });
    assert.deepEqual(stale.statuses, ["ready", "invalid"]);
    assert.deepEqual(next.statuses, ["ready"], "never seen as future on the way");
    assert.deepEqual(order(pool.ready()), ["alice1", "bob2"]);
    assert.equal(pool.get(hash(tx({ sender: "bob", nonce: 2 })))?.validatedAt, 1);
  });

  test("revalidation keeps transactions whose validity the runtime could not tell", async () => {
    const { pool, chain } = setup();
    await pool.submit(tx({ sender: "alice", nonce: 0 }));
    chain.unknown = true;
    await pool.onBlockImported({ number: 1, hash: blockHash(1), includedHashes: [] });
    assert.equal(pool.status().ready, 1);
  });

  test("block imports run one after another", async () => {
    const { pool, chain } = setup();
    await pool.submit(tx({ sender: "alice", nonce: 0 }));
    await pool.submit(tx({ sender: "alice", nonce: 1 }));
    chain.nonces.set("alice", 1);
    const first = pool.onBlockImported({ number: 1, hash: blockHash(1), includedHashes: [] });
    chain.nonces.set("alice", 2);
    const second = pool.onBlockImported({ number: 2, hash: blockHash(2), includedHashes: [] });
    await Promise.all([first, second]);
    assert.equal(pool.best.number, 2);
    assert.equal(pool.status().ready, 0);
  });
});

describe("watchers", () => {
  test("a reorg retracts, resubmits and the transaction is included again", async () => {
    const { pool } = setup();
    const w = recorder();
    const bytes = tx({ sender: "alice", nonce: 0 });
    const { hash: h } = await pool.submitAndWatch(bytes, "external", w.listener);
    await pool.onBlockImported({ number: 1, hash: blockHash(1), includedHashes: [h] });
    await pool.resubmit([{ hash: blockHash(1), transactions: [bytes] }]);
    assert.equal(pool.get(h)?.source, "inBlock");
    const fork = hash(utf8("fork block 1"));
    await pool.onBlockImported({ number: 1, hash: fork, includedHashes: [h] });
    pool.onFinalized(fork, [h]);
    assert.deepEqual(w.statuses, [
      "ready",
      { inBlock: toHex(blockHash(1)) },
      { retracted: toHex(blockHash(1)) },
      "ready",
      { inBlock: toHex(fork) },
      { finalized: toHex(fork) },
    ]);
  });

  test("a retracted transaction that no longer validates ends with invalid", async () => {
    const { pool, chain } = setup();
    const w = recorder();
    const bytes = tx({ sender: "alice", nonce: 0 });
    const { hash: h } = await pool.submitAndWatch(bytes, "external", w.listener);
    await pool.onBlockImported({ number: 1, hash: blockHash(1), includedHashes: [h] });
    chain.nonces.set("alice", 1);
    await pool.resubmit([{ hash: blockHash(1), transactions: [bytes] }]);
    assert.deepEqual(w.statuses.slice(2), [{ retracted: toHex(blockHash(1)) }, "invalid"]);
  });

  test("watch sends the current state and unsubscribe stops the stream", async () => {
    const { pool } = setup();
    const h = await pool.submit(tx({ sender: "alice", nonce: 1 }));
    const w = recorder();
    const unsubscribe = pool.watch(h, w.listener);
    await pool.submit(tx({ sender: "alice", nonce: 0 }));
    unsubscribe();
    await pool.onBlockImported({ number: 1, hash: blockHash(1), includedHashes: [h] });
    assert.deepEqual(w.statuses, ["future", "ready"]);
  });

  test("a block that never finalizes ends the stream with finalityTimeout", async () => {
    const { pool } = setup({ finalityTimeoutBlocks: 2 });
    const w = recorder();
    const { hash: h } = await pool.submitAndWatch(
      tx({ sender: "alice", nonce: 0 }),
      "local",
      w.listener,
    );
    for (const n of [1, 2, 3, 4]) {
      await pool.onBlockImported({
        number: n,
        hash: blockHash(n),
        includedHashes: n === 1 ? [h] : [],
      });
    }
    assert.deepEqual(w.statuses, [
      "ready",
      { inBlock: toHex(blockHash(1)) },
      { finalityTimeout: toHex(blockHash(1)) },
    ]);
  });

  test("a throwing listener does not break the pool", async () => {
    const { pool } = setup();
    await pool.submitAndWatch(tx({ sender: "alice", nonce: 1 }), "external", () => {
      throw new Error("socket closed");
    });
    await pool.submit(tx({ sender: "alice", nonce: 0 }));
    assert.equal(pool.status().ready, 2);
  });
});

test("PoolError is a LineageError", () => {
  assert.ok(new PoolError("POOL_ALREADY_IMPORTED", "x") instanceof LineageError);
});
