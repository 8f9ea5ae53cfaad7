// JSON-RPC over WebSocket: subscriptions and their envelope, unsubscribe, limits, and cleanup when
// a socket closes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { header, lineageError, XT } from "./fake-node-api.ts";
import { call, RawSocket, type Running, startServer, waitFor } from "./harness.ts";

interface Notification {
  jsonrpc: string;
  method: string;
  params: { subscription: string; result: unknown };
}

describe("RPC over WebSocket", () => {
  let rpc: Running;
  let socket: RawSocket;
  before(async () => {
    rpc = await startServer({ maxSubscriptionsPerConnection: 3, maxRequestBytes: 2048 });
    socket = await RawSocket.open(rpc.ws);
  });
  after(async () => {
    await socket.close();
    await rpc.server.stop();
  });

  it("answers plain calls and batches", async () => {
    assert.deepEqual(await socket.request(call("system_chain", [], 9)), {
      jsonrpc: "2.0",
      result: "Development",
      id: 9,
    });
    const batch = (await socket.request([call("system_name", [], 1), call("nope", [], 2)])) as {
      id: number;
    }[];
    assert.deepEqual(
      batch.map((item) => item.id),
      [1, 2],
    );
    assert.deepEqual(await socket.request("{oops"), {
      jsonrpc: "2.0",
      error: { code: -32700, message: "Parse error" },
      id: null,
    });
  });

  it("chain_subscribeNewHeads: id, current head first, then new heads in Substrate's envelope", async () => {
    const reply = (await socket.request(call("chain_subscribeNewHeads", [], 10))) as {
      result: string;
    };
    assert.match(reply.result, /^[A-Za-z0-9]{16}$/);
    const first = (await socket.next()) as Notification;
    assert.deepEqual(first, {
      jsonrpc: "2.0",
      method: "chain_newHead",
      params: { subscription: reply.result, result: header(5) },
    });
    rpc.node.pushNewHead(header(6));
    const second = (await socket.next()) as Notification;
    assert.deepEqual(second.params.result, header(6));
    assert.equal(second.params.subscription, reply.result);
    assert.deepEqual(await socket.request(call("chain_unsubscribeNewHeads", [reply.result], 11)), {
      jsonrpc: "2.0",
      result: true,
      id: 11,
    });
    assert.equal(rpc.node.listenerCounts().newHeads, 0);
    rpc.node.pushNewHead(header(7));
    assert.equal(await socket.quiet(), true);
  });

  it("unsubscribe returns false for unknown ids and for another stream's id", async () => {
    assert.equal(
      ((await socket.request(call("chain_unsubscribeNewHeads", ["nope"]))) as { result: boolean })
        .result,
      false,
    );
    const finalized = (await socket.request(call("chain_subscribeFinalisedHeads", [], 12))) as {
      result: string;
    };
    const first = (await socket.next()) as Notification;
    assert.equal(first.method, "chain_finalizedHead");
    const wrongKind = (await socket.request(
      call("chain_unsubscribeNewHeads", [finalized.result]),
    )) as {
      result: boolean;
    };
    assert.equal(wrongKind.result, false);
    const right = (await socket.request(
      call("chain_unsubscribeFinalizedHeads", [finalized.result]),
    )) as { result: boolean };
    assert.equal(right.result, true);
  });

  it("unsubscribe with a bad id type is -32602", async () => {
    const reply = (await socket.request(call("chain_unsubscribeNewHeads", [5]))) as {
      error: { code: number };
    };
    assert.equal(reply.error.code, -32602);
  });

  it("author_submitAndWatchExtrinsic: ready (held until the id is sent) .. finalized, then the stream ends", async () => {
    const reply = (await socket.request(call("author_submitAndWatchExtrinsic", [XT], 20))) as {
      result: string;
    };
    const ready = (await socket.next()) as Notification;
    assert.deepEqual(ready, {
      jsonrpc: "2.0",
      method: "author_extrinsicUpdate",
      params: { subscription: reply.result, result: "ready" },
    });
    const block = `0x${"cc".repeat(32)}`;
    rpc.node.pushStatus({ inBlock: block as `0x${string}` });
    rpc.node.pushStatus({ finalized: block as `0x${string}` });
    assert.deepEqual(((await socket.next()) as Notification).params.result, { inBlock: block });
    assert.deepEqual(((await socket.next()) as Notification).params.result, { finalized: block });
    assert.equal(rpc.node.listenerCounts().watches, 0);
    const late = (await socket.request(call("author_unwatchExtrinsic", [reply.result]))) as {
      result: boolean;
    };
    assert.equal(late.result, false);
  });

  it("a refused transaction rejects the subscription with the pool's error", async () => {
    rpc.node.failWith("author_submitAndWatchExtrinsic", lineageError("POOL_TEMPORARILY_BANNED"));
    const reply = await socket.request(call("author_submitAndWatchExtrinsic", [XT], 21));
    assert.deepEqual(reply, {
      jsonrpc: "2.0",
      error: { code: 1012, message: "Transaction is temporarily banned" },
      id: 21,
    });
  });

  it("limits subscriptions per connection with -32006", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = (await socket.request(call("chain_subscribeNewHeads", [], 30 + i))) as {
        result: string;
      };
      ids.push(reply.result);
      await socket.next(); // the current head
    }
    assert.deepEqual(await socket.request(call("chain_subscribeNewHeads", [], 33)), {
      jsonrpc: "2.0",
      error: {
        code: -32006,
        message: "Too many subscriptions on the connection",
        data: "Exceeded max limit of 3",
      },
      id: 33,
    });
    for (const id of ids) await socket.request(call("chain_unsubscribeNewHeads", [id]));
  });

  it("closing the socket ends all of its subscriptions", async () => {
    const other = await RawSocket.open(rpc.ws);
    other.send(call("chain_subscribeNewHeads"));
    other.send(call("chain_subscribeFinalizedHeads"));
    await waitFor(() => {
      const counts = rpc.node.listenerCounts();
      return counts.newHeads === 1 && counts.finalized === 1;
    });
    await other.close();
    await waitFor(() => {
      const counts = rpc.node.listenerCounts();
      return counts.newHeads === 0 && counts.finalized === 0;
    });
  });

  it("closes the socket with 1009 when a frame exceeds the request size limit", async () => {
    const big = await RawSocket.open(rpc.ws);
    const closed = new Promise<number>((resolve) =>
      big.socket.once("close", (code) => resolve(code)),
    );
    big.send(call("state_getStorage", [`0x${"00".repeat(2048)}`]));
    assert.equal(await closed, 1009);
  });
});

describe("WebSocket limits", () => {
  it("refuses a connection over maxConnections with HTTP 429", async () => {
    const rpc = await startServer({ maxConnections: 2 });
    const a = await RawSocket.open(rpc.ws);
    const b = await RawSocket.open(rpc.ws);
    try {
      await assert.rejects(RawSocket.open(rpc.ws), /unexpected response 429/);
      await a.close();
      // The slot frees once the server has seen the close; retry until it has.
      let c: RawSocket | undefined;
      for (let attempt = 0; c === undefined; attempt++) {
        try {
          c = await RawSocket.open(rpc.ws);
        } catch (error) {
          if (attempt >= 100 || !/429/.test(String(error))) throw error;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      await c.close();
    } finally {
      await b.close();
      await rpc.server.stop();
    }
  });

  it("refuses a browser origin that is not allowed with 403", async () => {
    const rpc = await startServer({ cors: ["https://ok.example"] });
    try {
      await assert.rejects(
        RawSocket.open(rpc.ws, { origin: "https://evil.example" }),
        /unexpected response 403/,
      );
      const ok = await RawSocket.open(rpc.ws, { origin: "https://ok.example" });
      await ok.close();
    } finally {
      await rpc.server.stop();
    }
  });

  it("drops the subscription of a reader that does not drain its buffer", async () => {
    const rpc = await startServer({ messageBufferPerConnection: 4 });
    const raw = new WebSocket(rpc.ws);
    await new Promise((resolve) => raw.once("open", resolve));
    try {
      raw.send(JSON.stringify(call("chain_subscribeNewHeads")));
      await waitFor(() => rpc.node.listenerCounts().newHeads === 1);
      // Stop reading, then flood: the kernel buffers fill and writes stay unflushed.
      (raw as unknown as { _socket: { pause(): void } })._socket.pause();
      const fat = {
        ...header(9),
        digest: { logs: [`0x${"ff".repeat(256 * 1024)}` as `0x${string}`] },
      };
      for (let i = 0; i < 200 && rpc.node.listenerCounts().newHeads > 0; i++) {
        rpc.node.pushNewHead(fat);
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(rpc.node.listenerCounts().newHeads, 0);
      assert.ok(rpc.node.unsubscribed.includes("newHeads"));
    } finally {
      raw.terminate();
      await rpc.server.stop();
    }
  });

  it("stop() closes open sockets and resolves", async () => {
    const rpc = await startServer();
    const socket = await RawSocket.open(rpc.ws);
    await socket.request(call("chain_subscribeNewHeads"));
    const closed = new Promise((resolve) => socket.socket.once("close", resolve));
    await rpc.server.stop();
    await closed;
    await waitFor(() => rpc.node.listenerCounts().newHeads === 0);
  });
});
