import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HASH_A } from "./fake-node-api.ts";
import { type Running, send, startServer } from "./harness.ts";

describe("params_* and council_* parameters", () => {
  let rpc: Running;
  before(async () => {
    rpc = await startServer();
  });
  after(() => rpc.server.stop());

  it("passes valid calls through: no params, null or a block hash", async () => {
    assert.deepEqual((await send(rpc, "params_list", [])).result, []);
    assert.deepEqual((await send(rpc, "params_pending", [null])).result, []);
    assert.deepEqual((await send(rpc, "council_members", [HASH_A])).result, {
      members: [],
      threshold: 0,
    });
    const calls = rpc.node.calls.filter(
      (c) => c.method.startsWith("params_") || c.method.startsWith("council_"),
    );
    assert.deepEqual(calls, [
      { method: "params_list", args: [undefined] },
      { method: "params_pending", args: [undefined] },
      { method: "council_members", args: [HASH_A] },
    ]);
  });

  it("refuses a bad block hash and extra params with -32602", async () => {
    for (const [method, params] of [
      ["params_list", ["0x1234"]],
      ["params_list", [HASH_A, 1]],
      ["params_pending", [7]],
      ["council_members", ["latest"]],
      ["council_members", [HASH_A, HASH_A]],
    ] as const) {
      const answer = await send(rpc, method, [...params]);
      assert.equal(answer.error?.code, -32602, `${method} ${JSON.stringify(params)}`);
    }
  });

  it("are listed by rpc_methods", async () => {
    const { methods } = (await send(rpc, "rpc_methods", [])).result as { methods: string[] };
    for (const name of ["params_list", "params_pending", "council_members"])
      assert.ok(methods.includes(name), name);
  });
});
