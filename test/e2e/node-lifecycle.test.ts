// Stopping and restarting a node on one base path: SIGINT and SIGTERM exit 0 within seconds, a
// restart continues from the best block it stopped at, and `purge-chain` sends it back to genesis.
// Restarts that must see the chain unchanged run without --dev (a full node of the dev chain that
// does not author), so no new block can race the check.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { RpcClient } from "../../rpc/client.ts";
import type { Hex, RpcHeader } from "../../rpc/node-api.ts";
import {
  firstNotification,
  headerNumber,
  type RunningNode,
  runCli,
  startNode,
  tempDir,
} from "./fixtures/index.ts";

const BLOCKS_TIMEOUT_MS = 20_000;
/** "Within a few seconds" of the signal; the node's own grace period is 10 s. */
const EXIT_WITHIN_MS = 5_000;

/** Sends `signal` and asserts a clean exit (status 0) within EXIT_WITHIN_MS. */
async function stopCleanly(node: RunningNode, signal: NodeJS.Signals): Promise<void> {
  const started = performance.now();
  const exit = await node.stop(signal, EXIT_WITHIN_MS);
  const ms = Math.round(performance.now() - started);
  assert.deepEqual(exit, { code: 0, signal: null }, `exit after ${signal} (${ms} ms)`);
  await node.waitForLine(new RegExp(`Received ${signal}, shutting down`));
  await node.waitForLine(/Shutdown complete/);
}

async function withClient<T>(node: RunningNode, use: (client: RpcClient) => Promise<T>) {
  const client = await RpcClient.connect(node.wsUrl);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** The number of the last block this node's log says it imported. */
function lastImported(node: RunningNode): number | undefined {
  const imported = node
    .lines()
    .map((line) => line.match(/🏆 Imported #(\d+) /)?.[1])
    .filter((n) => n !== undefined);
  return imported.length === 0 ? undefined : Number(imported.at(-1));
}

describe("node lifecycle on one base path", () => {
  const base = tempDir();
  const nodes: RunningNode[] = [];
  const start = async (args: string[]) => {
    const node = await startNode(args, { basePath: base.path });
    nodes.push(node);
    return node;
  };
  let genesisHash: Hex;
  let best: { number: number; hash: Hex };

  after(async () => {
    for (const node of nodes) await node.dispose();
    base.remove();
  });

  it("exits 0 on SIGINT while authoring", async () => {
    const node = await start(["--dev"]);
    await withClient(node, async (client) => {
      genesisHash = (await client.chain.getBlockHash(0))!;
      // Right after a block is announced the next one is a slot (2 s) away: read its hash, then
      // stop. The stream's first item is the best block at subscription time, not an import.
      let seen = 0;
      const head = await firstNotification<RpcHeader>(
        (onHead) => client.chain.subscribeNewHeads(onHead),
        (h) => ++seen > 1 && headerNumber(h) >= 2,
        BLOCKS_TIMEOUT_MS,
        "block #2",
      );
      best = { number: headerNumber(head), hash: (await client.chain.getBlockHash(head.number))! };
    });
    await stopCleanly(node, "SIGINT");
    // Nothing was imported between reading the best block and the stop.
    assert.equal(lastImported(node), best.number);
  });

  it("restarts at the same best block and exits 0 on SIGTERM", async () => {
    const node = await start(["--chain", "dev"]);
    const known = await node.waitForLine(/📦 Highest known block at #(\d+)/);
    assert.equal(Number(known[1]), best.number);
    await withClient(node, async (client) => {
      const header = (await client.chain.getHeader())!;
      assert.equal(headerNumber(header), best.number);
      assert.equal(await client.chain.getBlockHash(), best.hash);
      assert.equal(await client.chain.getBlockHash(0), genesisHash);
    });
    await stopCleanly(node, "SIGTERM");
  });

  it("extends the old best block once authoring again", async () => {
    const node = await start(["--dev"]);
    const known = await node.waitForLine(/📦 Highest known block at #(\d+)/);
    assert.equal(Number(known[1]), best.number);
    await withClient(node, async (client) => {
      const next = await firstNotification<RpcHeader>(
        (onHead) => client.chain.subscribeNewHeads(onHead),
        (h) => headerNumber(h) === best.number + 1,
        BLOCKS_TIMEOUT_MS,
        `block #${best.number + 1}`,
      );
      assert.equal(next.parentHash, best.hash);
    });
    await stopCleanly(node, "SIGTERM");
  });

  it("purge-chain -y deletes the database (keeping the keystore) and a restart begins at #0", async () => {
    const chainDir = join(base.path, "chains", "dev");
    const database = join(chainDir, "db", "full");
    assert.ok(existsSync(database));
    const purge = await runCli(["purge-chain", "--chain", "dev", "-y", "--base-path", base.path]);
    assert.equal(purge.code, 0, purge.stderr);
    assert.equal(purge.stdout, `${database} removed.\n`);
    assert.equal(existsSync(database), false);
    assert.ok(existsSync(join(chainDir, "keystore")), "the keystore is kept");

    const again = await runCli(["purge-chain", "--chain", "dev", "-y", "--base-path", base.path]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `${database} did not exist.\n`);

    const node = await start(["--chain", "dev"]);
    await node.waitForLine(/📦 Highest known block at #0$/);
    await withClient(node, async (client) => {
      assert.equal((await client.chain.getHeader())!.number, "0x0");
      assert.equal(await client.chain.getBlockHash(), genesisHash);
      assert.equal(await client.chain.getBlockHash(1), null);
    });
    await stopCleanly(node, "SIGINT");
  });
});
