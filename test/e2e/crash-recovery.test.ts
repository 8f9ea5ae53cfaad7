// Crash safety: a process killed with SIGKILL in the middle of importing blocks leaves a database
// that opens, holds a complete chain up to its best block (headers, bodies, states, parent links,
// runtime invariants), and accepts the rest of the chain from best + 1. First with a child that
// imports a prepared chain of full blocks (killed at three points), then with a real dev node
// killed while authoring and restarted on the same base path.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { chainPaths } from "../../node/config.ts";
import { toHex } from "../../primitives/bytes.ts";
import { type Block, decodeHeader, encodeBody, headerHash } from "../../primitives/chain.ts";
import { hash as digest } from "../../primitives/hash.ts";
import { SignatureVerifier } from "../../primitives/signature-verifier.ts";
import { RpcClient } from "../../rpc/client.ts";
import type { RpcHeader } from "../../rpc/node-api.ts";
import { checkInvariants } from "../../runtime/executive.ts";
import type { ChainStore } from "../../state/chain-store.ts";
import { StateOverlay } from "../../state/overlay.ts";
import {
  devGenesis,
  devImporter,
  openDevStore,
  prepareDevBlocks,
  writeBlocks,
} from "./fixtures/import-chain.ts";
import { NotificationLog, within } from "./fixtures/notification-log.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const IMPORT_WORKER = join(REPO_ROOT, "test", "e2e", "fixtures", "import-worker.ts");
const MAIN = join(REPO_ROOT, "node", "main.ts");

const BLOCKS = 12;
const TRANSFERS_PER_ACCOUNT = 50; // × 6 dev accounts = 300 signed transfers a block
/**
 * Each kill: how many import lines to let through, then how far into the next import to strike,
 * as a share of the time the last import took (the worker is importing the next block by then;
 * a late strike may find it committed, which must be just as recoverable).
 */
const KILLS = [
  { after: 2, into: 0 },
  { after: 3, into: 0.5 },
  { after: 1, into: Math.random() },
] as const;
const CHILD_WAIT_MS = 30_000;

const children = new Set<ChildProcess>();

function spawnTracked(args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** A child's output, line by line, and waits that fail at once (with its stderr) if it exits. */
class ChildOutput {
  readonly stdout = new NotificationLog<string>();
  readonly stderr = new NotificationLog<string>();
  /** When each stdout line arrived (performance.now()). */
  readonly arrivals = new Map<string, number>();
  /** Settles once stdout has ended: every line the child wrote has been read. */
  readonly stdoutClosed: Promise<void>;
  readonly #child: ChildProcess;

  constructor(child: ChildProcess) {
    this.#child = child;
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      this.arrivals.set(line, performance.now());
      this.stdout.push(line);
    });
    this.stdoutClosed = new Promise((resolve) => lines.once("close", resolve));
    if (child.stderr) createInterface({ input: child.stderr }).on("line", this.stderr.push);
  }

  line(
    stream: "stdout" | "stderr",
    match: (line: string) => boolean,
    what: string,
  ): Promise<string> {
    const early = exited(this.#child).then(({ code, signal }) => {
      throw new Error(
        `child exited (${code ?? signal}) before ${what}:\n${this.stderr.items.join("\n")}`,
      );
    });
    early.catch(() => {});
    return Promise.race([this[stream].waitFor(match, what, CHILD_WAIT_MS), early]);
  }
}

/**
 * What a reopened database must hold: a canonical chain from genesis to best, each block's header
 * hashing to its canonical hash, linked by parentHash, with its body and a complete state that
 * satisfies the runtime invariants. With `expected`, the blocks must be the prepared ones.
 */
function assertConsistentChain(store: ChainStore, expected?: readonly Block[]): void {
  const best = store.best();
  const finalized = store.finalized();
  assert.ok(finalized.number <= best.number);
  assert.ok(store.getHeader(best.hash), "best header");
  assert.ok(store.getBody(best.hash), "best body");
  // Hex everywhere: the store hands out Buffers, the codecs Uint8Arrays, and a failure stays short.
  let parent: string | undefined;
  for (let n = 0; n <= best.number; n++) {
    const hash = store.getCanonicalHash(n);
    assert.ok(hash, `canonical hash #${n}`);
    const bytes = store.getHeader(hash);
    assert.ok(bytes, `header #${n}`);
    const header = decodeHeader(bytes);
    assert.equal(header.number, n);
    assert.equal(toHex(headerHash(header)), toHex(hash), `header #${n} hashes to its hash`);
    const meta = store.getBlockMeta(hash);
    assert.ok(meta, `meta #${n}`);
    assert.equal(toHex(meta.stateRoot), toHex(header.stateRoot), `state root #${n}`);
    if (parent !== undefined) {
      assert.equal(toHex(header.parentHash), parent, `#${n} links to #${n - 1}`);
    }
    const body = store.getBody(hash);
    assert.ok(body, `body #${n}`);
    const block = n > 0 ? expected?.[n - 1] : undefined;
    if (block !== undefined) {
      assert.equal(toHex(hash), toHex(headerHash(block.header)), `#${n} is the prepared block`);
      assert.equal(toHex(digest(body)), toHex(digest(encodeBody(block.extrinsics))), `body #${n}`);
    }
    // Reads the whole account set: a state with a missing trie node would throw here.
    checkInvariants(new StateOverlay(store.stateAtBlock(hash)));
    parent = toHex(hash);
  }
  assert.equal(parent, toHex(best.hash), "the canonical chain ends at best");
  assert.equal(store.getCanonicalHash(best.number + 1), undefined, "nothing canonical above best");
}

describe("crash recovery (SIGKILL)", () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lineage-e2e-crash-"));
  });

  after(async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all([...children].map(exited));
    await rm(dir, { recursive: true, force: true });
  });

  it("a process killed mid-import reopens at a complete best block, three times, then imports the rest", async (t: TestContext) => {
    const blocks = await prepareDevBlocks(BLOCKS, TRANSFERS_PER_ACCOUNT);
    const blocksFile = join(dir, "blocks.bin");
    writeBlocks(blocksFile, blocks);
    const database = join(dir, "import-db");
    const genesis = devGenesis();

    let best = 0;
    for (const [round, kill] of KILLS.entries()) {
      const child = spawnTracked([IMPORT_WORKER, database, blocksFile]);
      const output = new ChildOutput(child);
      const start = await output.line("stdout", (l) => l.startsWith("start "), "start");
      assert.equal(start, `start ${best}`, "the worker resumes at the reopened best block");
      const target = best + kill.after;
      const previous = kill.after === 1 ? start : `imported ${target - 1} `;
      const last = await output.line(
        "stdout",
        (l) => l.startsWith(`imported ${target} `),
        `#${target}`,
      );
      const [, since] = [...output.arrivals].find(([line]) => line.startsWith(previous))!;
      const importMs = output.arrivals.get(last)! - since;
      // The line is printed after the commit; the next block's import is already under way.
      const delayMs = Math.floor(importMs * kill.into);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill("SIGKILL");
      assert.equal((await within(exited(child), CHILD_WAIT_MS, "the kill")).signal, "SIGKILL");

      // On a busy machine the worker may have gone further than the line we acted on.
      await within(output.stdoutClosed, CHILD_WAIT_MS, "the worker's last output");
      const reported = Math.max(
        ...output.stdout.items.map((l) => Number(/^imported (\d+) /.exec(l)?.[1] ?? best)),
      );
      assert.ok(!output.stdout.items.includes("done"), "the worker was killed before the end");

      const store = await openDevStore({ path: database }, genesis);
      try {
        const reopened = store.best().number;
        // Everything reported was committed; at most the block in flight was committed unreported.
        assert.ok(
          reopened === reported || reopened === reported + 1,
          `best #${reopened} after the worker reported #${reported}`,
        );
        t.diagnostic(
          `round ${round + 1}: killed ${delayMs} ms after #${target} (imports take ~${Math.round(importMs)} ms); last reported #${reported}, reopened at #${reopened}${reopened > reported ? " (the block in flight had landed)" : ""}`,
        );
        assertConsistentChain(store, blocks);
        best = reopened;
      } finally {
        await store.close();
      }
      if (best >= BLOCKS - 1) break;
    }
    assert.ok(best < BLOCKS, "some blocks are left to import");

    const store = await openDevStore({ path: database }, genesis);
    const verifier = new SignatureVerifier({ workers: 1 });
    try {
      const importer = devImporter(store, genesis, verifier);
      for (let n = store.best().number + 1; n <= BLOCKS; n++) {
        const imported = await importer.importBlock(blocks[n - 1]!);
        assert.ok(imported.isBest);
      }
      assert.equal(store.best().number, BLOCKS);
      assert.equal(toHex(store.best().hash), toHex(headerHash(blocks.at(-1)!.header)));
      assertConsistentChain(store, blocks);
    } finally {
      await verifier.close();
      await store.close();
    }
  });

  it("a dev node killed while authoring restarts on its base path and extends its best block", async (t: TestContext) => {
    const basePath = join(dir, "node");
    const args = [
      MAIN,
      "--dev",
      "--base-path",
      basePath,
      "--rpc-port",
      "0",
      "--prometheus-port",
      "0",
      "--port",
      "0",
    ];
    const imported = /Imported #(\d+)/;
    const first = spawnTracked(args);
    await new ChildOutput(first).line(
      "stderr",
      (l) => Number(imported.exec(l)?.[1] ?? 0) >= 3,
      "the node to import #3",
    );
    first.kill("SIGKILL");
    assert.equal((await within(exited(first), CHILD_WAIT_MS, "the kill")).signal, "SIGKILL");

    const database = chainPaths(basePath, "dev").database;
    const store = await openDevStore({ path: database });
    let best: { hash: Uint8Array; number: number };
    try {
      best = store.best();
      assert.ok(best.number >= 3);
      assertConsistentChain(store);
    } finally {
      await store.close();
    }
    t.diagnostic(`killed at best #${best.number}`);

    const second = spawnTracked(args);
    try {
      const output = new ChildOutput(second);
      await output.line(
        "stderr",
        (l) => l.includes(`Highest known block at #${best.number}`),
        `the restarted node to report #${best.number}`,
      );
      const rpcLine = await output.line(
        "stderr",
        (l) => /Running JSON-RPC server: addr=127\.0\.0\.1:\d+/.test(l),
        "the RPC address",
      );
      const port = /addr=127\.0\.0\.1:(\d+)/.exec(rpcLine)![1];
      const client = await RpcClient.connect(`ws://127.0.0.1:${port}`, { timeoutMs: 10_000 });
      try {
        const heads = new NotificationLog<RpcHeader>();
        await client.subscribeNewHeads(heads.push);
        const next = await heads.waitFor(
          (h) => Number.parseInt(h.number.slice(2), 16) > best.number,
          `a head above #${best.number}`,
          CHILD_WAIT_MS,
        );
        assert.ok(next);
        assert.equal(await client.chain.getBlockHash(best.number), toHex(best.hash));
        const child = await client.chain.getHeader(
          (await client.chain.getBlockHash(best.number + 1))!,
        );
        assert.equal(
          child?.parentHash,
          toHex(best.hash),
          "the first new block's parent is the old best",
        );
        const finalized = await client.chain.getHeader(await client.chain.getFinalizedHead());
        assert.ok(finalized && Number.parseInt(finalized.number.slice(2), 16) >= best.number);
      } finally {
        await client.close();
      }
    } finally {
      second.kill("SIGINT");
      const { code } = await within(exited(second), CHILD_WAIT_MS, "a clean shutdown");
      assert.equal(code, 0);
    }
  });
});
