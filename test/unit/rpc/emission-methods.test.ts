import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Running, send, startServer } from "./harness.ts";

const HASH = `0x${"ab".repeat(32)}`;

describe("emission_* parameters", () => {
  let rpc: Running;
  before(async () => {
    rpc = await startServer();
  });
  after(() => rpc.server.stop());

  it("passes valid calls through, with the schedule's default count", async () => {
    assert.deepEqual((await send(rpc, "emission_health", [0])).result, { items: [], latest: null });
    await send(rpc, "emission_health", [3, 9, HASH]);
    await send(rpc, "emission_schedule", []);
    await send(rpc, "emission_schedule", [1000]);
    const calls = rpc.node.calls.filter((c) => c.method.startsWith("emission_"));
    assert.deepEqual(calls, [
      { method: "emission_health", args: [0, undefined, undefined] },
      { method: "emission_health", args: [3, 9, HASH] },
      { method: "emission_schedule", args: [10, undefined] },
      { method: "emission_schedule", args: [1000, undefined] },
    ]);
  });

  it("refuses bad epochs, reversed ranges and oversized projections with -32602", async () => {
    for (const [method, params, message] of [
      ["emission_health", [], "param 0"],
      ["emission_health", [-1], "epochs count from 0"],
      ["emission_health", [1.5], "epoch"],
      ["emission_health", [9, 3], "ends (3) before it starts (9)"],
      ["emission_health", [0, 1, "0x12"], "hash"],
      ["emission_schedule", [0], "at least one epoch"],
      ["emission_schedule", [1001], "at most 1000 epochs"],
    ] as const) {
      const answer = await send(rpc, method, [...params]);
      assert.equal(answer.error?.code, -32602, `${method} ${JSON.stringify(params)}`);
      const text = `${answer.error?.message} ${JSON.stringify(answer.error?.data)}`;
      assert.match(text, new RegExp(message.replace(/[()]/g, "\\$&")));
    }
  });
});
