// `lineage --dev` as a child process: a block every slot, finality following, JSON-RPC over HTTP
// POST and WebSocket on one port, and Prometheus block heights. One node serves every case.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HttpRpcClient, RpcClient } from "../../rpc/client.ts";
import type { RpcHeader } from "../../rpc/node-api.ts";
import {
  collectNotifications,
  firstNotification,
  headerNumber,
  metricSample,
  type RunningNode,
  startNode,
} from "./fixtures/index.ts";

/** The dev slot is 2 s; a few slots of slack for a loaded machine. */
const BLOCKS_TIMEOUT_MS = 20_000;
const HEX = /^0x[0-9a-f]*$/;
const HASH = /^0x[0-9a-f]{64}$/;

describe("lineage --dev", () => {
  let node: RunningNode;
  let ws: RpcClient;
  let http: HttpRpcClient;
  before(async () => {
    node = await startNode(["--dev"]);
    ws = await RpcClient.connect(node.wsUrl);
    http = new HttpRpcClient(node.rpcUrl);
  });
  after(async () => {
    await ws?.close();
    await node?.dispose();
  });

  it("imports one block per slot, each on top of the previous (chain_subscribeNewHeads)", async () => {
    const heads = await collectNotifications<RpcHeader>(
      (onHead) => ws.chain.subscribeNewHeads(onHead),
      3,
      BLOCKS_TIMEOUT_MS,
      "chain_subscribeNewHeads",
    );
    const numbers = heads.map(headerNumber);
    assert.deepEqual(numbers, [numbers[0]!, numbers[0]! + 1, numbers[0]! + 2]);
    for (let i = 1; i < heads.length; i++) {
      assert.equal(heads[i]!.parentHash, await ws.chain.getBlockHash(numbers[i - 1]!));
    }
    await node.waitForLine(new RegExp(`🏆 Imported #${numbers[2]} `));
  });

  it("finalizes blocks (chain_subscribeFinalizedHeads)", async () => {
    const finalized = await collectNotifications<RpcHeader>(
      (onHead) => ws.chain.subscribeFinalizedHeads(onHead),
      2,
      BLOCKS_TIMEOUT_MS,
      "chain_subscribeFinalizedHeads",
    );
    const [first, second] = finalized.map(headerNumber);
    assert.ok(second! > first!, `finalized ${first} then ${second}`);
    const head = await ws.chain.getFinalizedHead();
    const headNumber = headerNumber((await ws.chain.getHeader(head))!);
    assert.ok(headNumber >= second!);
    assert.ok(headerNumber((await ws.chain.getHeader())!) >= headNumber, "best >= finalized");
  });

  it("answers the same JSON-RPC over HTTP POST and WebSocket on one port", async () => {
    for (const client of [http, ws]) {
      assert.equal(await client.system.name(), "Lineage Node");
      assert.equal(await client.system.chain(), "Development");
      const health = await client.system.health();
      assert.deepEqual(Object.keys(health).sort(), ["isSyncing", "peers", "shouldHavePeers"]);
      assert.equal(health.peers, 0);
      assert.equal(health.isSyncing, false);

      const header = (await client.chain.getHeader())!;
      assert.deepEqual(Object.keys(header).sort(), [
        "digest",
        "extrinsicsRoot",
        "number",
        "parentHash",
        "stateRoot",
      ]);
      assert.match(header.number, /^0x[0-9a-f]+$/);
      assert.match(header.parentHash, HASH);
      assert.match(header.stateRoot, HASH);
      assert.match(header.extrinsicsRoot, HASH);
      assert.ok(Array.isArray(header.digest.logs));
      for (const log of header.digest.logs) assert.match(log, HEX);

      const { methods } = await client.rpc.methods();
      assert.deepEqual(methods, [...methods].sort());
      for (const method of [
        "rpc_methods",
        "system_name",
        "chain_getHeader",
        "chain_subscribeNewHeads",
        "chain_subscribeFinalizedHeads",
        "author_submitAndWatchExtrinsic",
      ]) {
        assert.ok(methods.includes(method), `rpc_methods lists ${method}`);
      }
    }
  });

  it("exports best and finalized block heights to Prometheus, rising with the chain", async () => {
    const read = async () => {
      const response = await fetch(node.metricsUrl!);
      assert.equal(response.status, 200);
      const text = await response.text();
      const best = metricSample(text, "substrate_block_height", { status: "best" });
      const finalized = metricSample(text, "substrate_block_height", { status: "finalized" });
      assert.ok(best !== undefined, 'substrate_block_height{status="best"} is exported');
      assert.ok(finalized !== undefined, 'substrate_block_height{status="finalized"} is exported');
      return { best, finalized };
    };
    const before = await read();
    assert.ok(before.best >= before.finalized);
    // Heights are updated before the finalized-head listeners run, so once a later block is
    // final both gauges must have moved.
    await firstNotification<RpcHeader>(
      (onHead) => ws.chain.subscribeFinalizedHeads(onHead),
      (head) => headerNumber(head) > before.best,
      BLOCKS_TIMEOUT_MS,
      `a finalized block above #${before.best}`,
    );
    const later = await read();
    assert.ok(later.best > before.best, `best ${before.best} -> ${later.best}`);
    assert.ok(
      later.finalized > before.finalized,
      `finalized ${before.finalized} -> ${later.finalized}`,
    );
  });
});
