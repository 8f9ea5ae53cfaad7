// JSON-RPC 2.0 over HTTP POST against a real listener: every error code path, batches, limits,
// CORS and the GET routes.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { lineageError } from "./fake-node-api.ts";
import { call, post, RawSocket, type Running, startServer } from "./harness.ts";

const HASH = `0x${"aa".repeat(32)}`;

describe("RPC over HTTP", () => {
  let rpc: Running;
  before(async () => {
    rpc = await startServer({
      maxBatchLength: 5,
      maxRequestBytes: 4096,
      cors: ["https://explorer.example"],
      staticHandler: (req, res) => {
        if (req.url !== "/") return false;
        res.writeHead(200, { "content-type": "text/html" }).end("<h1>explorer</h1>");
        return true;
      },
    });
  });
  after(() => rpc.server.stop());

  it("answers a call with the JSON-RPC 2.0 envelope and the same id", async () => {
    const reply = await post(rpc.http, call("system_name", [], "abc"));
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json, { jsonrpc: "2.0", result: "Lineage Node", id: "abc" });
    assert.match(reply.headers.get("content-type") ?? "", /application\/json/);
  });

  it("-32700 on unparsable JSON, id null", async () => {
    const reply = await post(rpc.http, '{"jsonrpc":"2.0","method":');
    assert.deepEqual(reply.json, {
      jsonrpc: "2.0",
      error: { code: -32700, message: "Parse error" },
      id: null,
    });
  });

  it("-32600 on malformed requests", async () => {
    const cases: [unknown, unknown][] = [
      [{ jsonrpc: "1.0", id: 1, method: "system_name" }, 1],
      [{ id: 2, method: "system_name" }, 2],
      [{ jsonrpc: "2.0", id: 3, method: 5 }, 3],
      [{ jsonrpc: "2.0", id: { x: 1 }, method: "system_name" }, null],
      [{ jsonrpc: "2.0", id: [1], method: "system_name" }, null],
      [{ jsonrpc: "2.0", id: true, method: "system_name" }, null],
      [{ jsonrpc: "2.0", id: 4, method: "system_name", params: "x" }, 4],
      [42, null],
      ['"just a string"', null],
    ];
    for (const [body, id] of cases) {
      const reply = (await post(rpc.http, body)).json as { error: { code: number }; id: unknown };
      assert.equal(reply.error.code, -32600, JSON.stringify(body));
      assert.equal(reply.id, id, JSON.stringify(body));
    }
  });

  it("accepts id null as a request, not a notification", async () => {
    const reply = await post(rpc.http, { jsonrpc: "2.0", id: null, method: "system_chain" });
    assert.deepEqual(reply.json, { jsonrpc: "2.0", result: "Development", id: null });
  });

  it("-32601 for an unknown method", async () => {
    const reply = await post(rpc.http, call("system_nope"));
    assert.deepEqual(reply.json, {
      jsonrpc: "2.0",
      error: { code: -32601, message: "Method not found" },
      id: 1,
    });
  });

  it("-32602 with the schema's message for bad params", async () => {
    const cases: [string, unknown[], RegExp][] = [
      ["chain_getHeader", ["0x1234"], /param 0: expected a 32-byte hash/],
      ["chain_getHeader", [5], /param 0: expected a block hash as a hex string/],
      ["chain_getHeader", [HASH, 1], /too many params: expected at most 1/],
      ["chain_getBlockHash", [-1], /expected a block number/],
      ["chain_getBlockHash", [1.5], /expected a block number/],
      ["chain_getBlockHash", ["0xzz"], /expected a block number/],
      ["chain_getBlockHash", [[1, -2]], /param 0\[1\]: expected a block number/],
      ["state_getStorage", [], /param 0: expected a hex string/],
      ["state_getStorage", ["0x123"], /even number of digits/],
      ["state_getKeysPaged", ["0x", -5], /param 1: expected a non-negative integer/],
      ["state_getReadProof", ["0x00"], /expected a list of storage keys/],
      ["author_submitExtrinsic", ["0x"], /the extrinsic is empty/],
      ["system_accountNextIndex", ["not an address!"], /expected an SS58 address/],
      ["payment_queryInfo", ["0x01", "0x02"], /param 1: expected a 32-byte hash/],
    ];
    for (const [method, params, message] of cases) {
      const reply = (await post(rpc.http, call(method, params))).json as {
        error: { code: number; message: string; data: string };
      };
      assert.equal(reply.error.code, -32602, `${method} ${JSON.stringify(params)}`);
      assert.equal(reply.error.message, "Invalid params");
      assert.match(reply.error.data, message, `${method} ${JSON.stringify(params)}`);
    }
  });

  it("-32602 for named params", async () => {
    const reply = (
      await post(rpc.http, { jsonrpc: "2.0", id: 1, method: "chain_getHeader", params: {} })
    ).json as { error: { code: number; data: string } };
    assert.equal(reply.error.code, -32602);
    assert.match(reply.error.data, /named params/);
  });

  it("-32603 when the node throws something unexpected", async () => {
    rpc.node.failWith("state_getMetadata", new Error("disk on fire"));
    const reply = await post(rpc.http, call("state_getMetadata"));
    assert.deepEqual(reply.json, {
      jsonrpc: "2.0",
      error: { code: -32603, message: "Internal error" },
      id: 1,
    });
  });

  it("maps node errors through the table (1010 stale)", async () => {
    rpc.node.failWith("author_submitExtrinsic", lineageError("TX_STALE", "nonce 1 < 2"));
    const reply = await post(rpc.http, call("author_submitExtrinsic", ["0x0102"]));
    assert.deepEqual(reply.json, {
      jsonrpc: "2.0",
      error: { code: 1010, message: "Invalid Transaction", data: "Transaction is outdated" },
      id: 1,
    });
  });

  it("answers 4002 when a key page is over 1000, like Substrate", async () => {
    const reply = (await post(rpc.http, call("state_getKeysPaged", ["0x", 1001]))).json as {
      error: { code: number; message: string };
    };
    assert.deepEqual(reply.error, {
      code: 4002,
      message: "count exceeds maximum value. value: 1001, max: 1000",
    });
  });

  it("passes validated, normalized params to the node", async () => {
    const upper = `0x${"AB".repeat(32)}`;
    await post(rpc.http, call("state_getKeysPaged", [null, 10, "0x01", upper]));
    assert.deepEqual(rpc.node.calls.at(-1), {
      method: "state_getKeysPaged",
      args: ["0x", 10, "0x01", upper.toLowerCase()],
    });
    const hashes = await post(rpc.http, call("chain_getBlockHash", [[0, "0x5", 6]]));
    assert.deepEqual((hashes.json as { result: unknown }).result, [HASH, HASH, null]);
    const best = await post(rpc.http, call("chain_getHead"));
    assert.equal((best.json as { result: unknown }).result, HASH);
  });

  it("batches: mixed valid, invalid and notifications; order of ids kept", async () => {
    const reply = await post(rpc.http, [
      call("system_name", [], 1),
      { jsonrpc: "2.0", method: "system_name" },
      { jsonrpc: "2.0", id: 2, method: "nope" },
      { foo: "bar" },
      call("chain_getHeader", ["0x12"], 3),
    ]);
    const items = reply.json as { id: unknown; result?: unknown; error?: { code: number } }[];
    assert.equal(items.length, 4);
    assert.deepEqual(items[0], { jsonrpc: "2.0", result: "Lineage Node", id: 1 });
    assert.equal(items[1]?.error?.code, -32601);
    assert.equal(items[2]?.error?.code, -32600);
    assert.equal(items[2]?.id, null);
    assert.equal(items[3]?.error?.code, -32602);
    assert.equal(items[3]?.id, 3);
  });

  it("an empty batch is one -32600 error", async () => {
    const reply = await post(rpc.http, []);
    assert.deepEqual(reply.json, {
      jsonrpc: "2.0",
      error: { code: -32600, message: "Invalid request" },
      id: null,
    });
  });

  it("a batch over the limit is refused with -32010", async () => {
    const reply = await post(
      rpc.http,
      Array.from({ length: 6 }, (_, i) => call("system_name", [], i)),
    );
    assert.deepEqual(reply.json, {
      jsonrpc: "2.0",
      error: {
        code: -32010,
        message: "The batch request was too large",
        data: "Exceeded max limit of 5",
      },
      id: null,
    });
  });

  it("notifications get no response; an all-notification batch gets an empty 200", async () => {
    const single = await post(rpc.http, { jsonrpc: "2.0", method: "system_name" });
    assert.equal(single.status, 200);
    assert.equal(single.text, "");
    const batch = await post(rpc.http, [
      { jsonrpc: "2.0", method: "system_name" },
      { jsonrpc: "2.0", method: "no_such_method" },
    ]);
    assert.equal(batch.status, 200);
    assert.equal(batch.text, "");
  });

  it("a notification still runs (e.g. a fire-and-forget submit)", async () => {
    const before = rpc.node.calls.length;
    await post(rpc.http, { jsonrpc: "2.0", method: "author_submitExtrinsic", params: ["0x09"] });
    assert.equal(rpc.node.calls.length, before + 1);
  });

  it("413 for a request over the size limit", async () => {
    const reply = await post(rpc.http, call("state_getStorage", [`0x${"00".repeat(4096)}`]));
    assert.equal(reply.status, 413);
  });

  it("413 for a chunked body that grows over the limit", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${rpc.http}/`,
        { method: "POST", headers: { "content-type": "application/json" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.write(`{"jsonrpc":"2.0","id":1,"method":"x","params":["${"a".repeat(3000)}`);
      req.end(`${"a".repeat(3000)}"]}`);
    });
    assert.equal(status, 413);
  });

  it("subscriptions over HTTP are refused with -32601 and a clear message", async () => {
    const reply = (await post(rpc.http, call("chain_subscribeNewHeads"))).json as {
      error: { code: number; message: string };
    };
    assert.equal(reply.error.code, -32601);
    assert.match(reply.error.message, /WebSocket/);
  });

  it("CORS: allowed origins get the header, others 403, preflight answered", async () => {
    const ok = await post(rpc.http, call("system_name"), { origin: "https://explorer.example" });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://explorer.example");
    const denied = await post(rpc.http, call("system_name"), { origin: "https://evil.example" });
    assert.equal(denied.status, 403);
    const preflight = await fetch(rpc.http, {
      method: "OPTIONS",
      headers: { origin: "https://explorer.example", "access-control-request-method": "POST" },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
  });

  it("415 for a non-JSON content type", async () => {
    const reply = await post(rpc.http, call("system_name"), { "content-type": "text/plain" });
    assert.equal(reply.status, 415);
  });

  it("GET /health answers system_health; / goes to the static handler; others 404", async () => {
    const health = await fetch(`${rpc.http}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { peers: 0, isSyncing: false, shouldHavePeers: false });
    const page = await fetch(`${rpc.http}/`);
    assert.equal(await page.text(), "<h1>explorer</h1>");
    assert.equal((await fetch(`${rpc.http}/nothing`)).status, 404);
  });

  it("rpc_methods lists every name sorted, aliases and itself included", async () => {
    const reply = (await post(rpc.http, call("rpc_methods"))).json as {
      result: { methods: string[] };
    };
    const methods = reply.result.methods;
    assert.deepEqual(methods, [...methods].sort());
    for (const name of [
      "rpc_methods",
      "account_nextIndex",
      "chain_getFinalisedHead",
      "chain_getHead",
      "chain_getRuntimeVersion",
      "chain_subscribeNewHead",
      "subscribe_newHead",
      "chain_unsubscribeFinalizedHeads",
      "state_getStorageAt",
      "author_unwatchExtrinsic",
      "payment_queryInfo",
    ]) {
      assert.ok(methods.includes(name), name);
    }
  });
});

describe("RPC methods policy over the wire", () => {
  it("methods=safe on loopback denies an unsafe method that rpc_methods still lists", async () => {
    const rpc = await startServer({ methods: "safe" });
    try {
      const denied = (await post(rpc.http, call("author_rotateKeys"))).json as {
        error: { code: number; message: string };
      };
      assert.deepEqual(denied.error, {
        code: -32601,
        message: "RPC call is unsafe to be called externally",
      });
      const listed = (await post(rpc.http, call("rpc_methods"))).json as {
        result: { methods: string[] };
      };
      assert.ok(listed.result.methods.includes("author_rotateKeys"));
      assert.equal(rpc.server.allowsUnsafe, false);
    } finally {
      await rpc.server.stop();
    }
  });
});

describe("connection limit over HTTP", () => {
  it("answers 429 when every connection slot is taken", async () => {
    const rpc = await startServer({ maxConnections: 1 });
    const socket = await RawSocket.open(rpc.ws);
    try {
      const reply = await post(rpc.http, call("system_name"));
      assert.equal(reply.status, 429);
      assert.match(reply.text, /Too many connections/);
    } finally {
      await socket.close();
      await rpc.server.stop();
    }
  });
});
