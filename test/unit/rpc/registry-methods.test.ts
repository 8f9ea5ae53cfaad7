import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Running, send, startServer } from "./harness.ts";

describe("registry_* parameters", () => {
  let rpc: Running;
  before(async () => {
    rpc = await startServer();
  });
  after(() => rpc.server.stop());

  it("passes valid calls through, with defaults for the page", async () => {
    assert.deepEqual((await send(rpc, "registry_datanets", [])).result, { items: [], next: null });
    await send(rpc, "registry_contributions", [{ datanet: 3, status: "accepted" }, 10, 5]);
    await send(rpc, "registry_proof", [1, 2, 3]);
    const alice = "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu";
    await send(rpc, "registry_curator", [4, alice]);
    const calls = rpc.node.calls.filter((c) => c.method.startsWith("registry_"));
    assert.deepEqual(calls[0], { method: "registry_datanets", args: [0, 100, undefined] });
    assert.deepEqual(calls[1], {
      method: "registry_contributions",
      args: [{ datanet: 3, status: "accepted" }, 10, 5, undefined],
    });
    assert.deepEqual(calls[2], { method: "registry_proof", args: [1, 2, 3, undefined] });
    assert.deepEqual(calls[3], { method: "registry_curator", args: [4, alice, undefined] });
  });

  it("refuses bad ids, oversized pages and unknown filter fields with -32602", async () => {
    for (const [method, params] of [
      ["registry_datanet", [-1]],
      ["registry_datanet", ["7"]],
      ["registry_datanets", [0, 101]],
      ["registry_contributions", [{ owner: "x" }]],
      ["registry_contributions", [{ status: "lost" }]],
      ["registry_reputation", ["not-an-account"]],
      ["registry_version", [1]],
      ["registry_curator", [1]],
      ["registry_curator", [-1, "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu"]],
      ["registry_curator", [1, "not-an-account"]],
    ] as const) {
      const answer = await send(rpc, method, [...params]);
      assert.equal(answer.error?.code, -32602, `${method} ${JSON.stringify(params)}`);
    }
  });
});
