import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Running, send, startServer } from "./harness.ts";

const ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

describe("attribution_* parameters", () => {
  let rpc: Running;
  before(async () => {
    rpc = await startServer();
  });
  after(() => rpc.server.stop());

  it("passes valid calls through, with defaults for the pages", async () => {
    assert.deepEqual((await send(rpc, "attribution_models", [])).result, { items: [], next: null });
    await send(rpc, "attribution_model", [4]);
    await send(rpc, "attribution_claimable", [{ contribution: { datanet: 1, version: 2, id: 3 } }]);
    await send(rpc, "attribution_claimable", [{ contributor: ALICE }]);
    await send(rpc, "attribution_claimable", [{ contributor: ALICE, start: 7, count: 5 }]);
    await send(rpc, "attribution_pool", [1, 1]);
    await send(rpc, "attribution_quote", [0, 1000]);
    const calls = rpc.node.calls.filter((c) => c.method.startsWith("attribution_"));
    assert.deepEqual(calls, [
      { method: "attribution_models", args: [0, 100, undefined] },
      { method: "attribution_model", args: [4, undefined] },
      {
        method: "attribution_claimable",
        args: [{ contribution: { datanet: 1, version: 2, id: 3 } }, undefined],
      },
      {
        method: "attribution_claimable",
        args: [{ contributor: ALICE, start: 0, count: 100 }, undefined],
      },
      {
        method: "attribution_claimable",
        args: [{ contributor: ALICE, start: 7, count: 5 }, undefined],
      },
      { method: "attribution_pool", args: [1, 1, undefined] },
      { method: "attribution_quote", args: [0, 1000, undefined] },
    ]);
  });

  it("refuses bad ids, oversized pages, bad queries and bad unit counts with -32602", async () => {
    for (const [method, params] of [
      ["attribution_model", [-1]],
      ["attribution_model", ["7"]],
      ["attribution_models", [0, 101]],
      ["attribution_models", [0, 0]],
      ["attribution_claimable", [{}]],
      ["attribution_claimable", [{ contributor: "not-an-account" }]],
      ["attribution_claimable", [{ contributor: ALICE, count: 101 }]],
      ["attribution_claimable", [{ contribution: { datanet: 1, version: 1 } }]],
      ["attribution_claimable", [{ contribution: { datanet: 1, version: 0, id: 1 } }]],
      ["attribution_claimable", [{ contribution: { datanet: 1, version: 1, id: 1 }, x: 1 }]],
      ["attribution_pool", [1]],
      ["attribution_pool", [1, 0]],
      ["attribution_quote", [1, 0]],
      ["attribution_quote", [1, 1.5]],
      ["attribution_quote", [1, "10"]],
      ["attribution_quote", [1, 10, "0x12"]],
    ] as const) {
      const answer = await send(rpc, method, [...params]);
      assert.equal(answer.error?.code, -32602, `${method} ${JSON.stringify(params)}`);
    }
  });
});
