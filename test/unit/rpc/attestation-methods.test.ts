import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RpcDispatcher } from "../../../rpc/dispatcher.ts";
import { MethodRegistry } from "../../../rpc/method-registry.ts";
import { registerNodeMethods } from "../../../rpc/methods/index.ts";
import { allowsUnsafeMethods } from "../../../rpc/policy.ts";
import { createFakeNode } from "./fake-node-api.ts";
import { type Running, send, startServer } from "./harness.ts";

const ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const HASH = `0x${"ab".repeat(32)}`;

describe("attestation_* parameters", () => {
  let rpc: Running;
  before(async () => {
    rpc = await startServer();
  });
  after(() => rpc.server.stop());

  it("passes valid calls through, with defaults for the pages", async () => {
    assert.deepEqual((await send(rpc, "attestation_methods", [])).result, []);
    await send(rpc, "attestation_attestor", [ALICE]);
    await send(rpc, "attestation_attestors", []);
    await send(rpc, "attestation_attestors", [ALICE, 5, HASH]);
    await send(rpc, "attestation_window", [0, 3]);
    await send(rpc, "attestation_windows", [0]);
    await send(rpc, "attestation_windows", [0, null, 7]);
    await send(rpc, "attestation_windows", [0, 4294967295]);
    await send(rpc, "attestation_contributions", [2]);
    await send(rpc, "attestation_contributions", [2, 10, 1]);
    await send(rpc, "attestation_measured", [0, 1, 3]);
    const calls = rpc.node.calls.filter((c) => c.method.startsWith("attestation_"));
    assert.deepEqual(calls, [
      { method: "attestation_methods", args: [undefined] },
      { method: "attestation_attestor", args: [ALICE, undefined] },
      { method: "attestation_attestors", args: [null, 100, undefined] },
      { method: "attestation_attestors", args: [ALICE, 5, HASH] },
      { method: "attestation_window", args: [0, 3, undefined] },
      { method: "attestation_windows", args: [0, null, 100, undefined] },
      { method: "attestation_windows", args: [0, null, 7, undefined] },
      { method: "attestation_windows", args: [0, 4294967295, 100, undefined] },
      { method: "attestation_contributions", args: [2, 0, 100, undefined] },
      { method: "attestation_contributions", args: [2, 10, 1, undefined] },
      { method: "attestation_measured", args: [0, 1, 3, undefined] },
    ]);
  });

  it("refuses bad accounts, ids, windows and page sizes with -32602 and says why", async () => {
    const served = rpc.node.calls.length;
    for (const [method, params, message] of [
      ["attestation_methods", ["0x12"], "expected a 32-byte hash"],
      ["attestation_attestor", [], "param 0: expected an SS58 address"],
      ["attestation_attestor", ["not-an-account"], "expected an SS58 address"],
      ["attestation_attestors", ["not-an-account"], "expected an SS58 address"],
      ["attestation_attestors", [null, 0], "a page holds at least one record"],
      ["attestation_attestors", [null, 101], "a page holds at most 100 records"],
      ["attestation_window", [0], "param 1: expected a window number"],
      ["attestation_window", [-1, 0], "expected a non-negative integer id"],
      ["attestation_window", [0, -1], "windows count from 0"],
      ["attestation_window", [0, 4294967296], "a window number is at most 4294967295"],
      ["attestation_window", [0, 1.5], "expected a window number"],
      ["attestation_windows", [0, "1"], "expected a window number"],
      ["attestation_windows", [0, null, 101], "a page holds at most 100 records"],
      ["attestation_contributions", ["0"], "expected a non-negative integer id"],
      ["attestation_contributions", [0, -1], "expected a non-negative integer id"],
      ["attestation_contributions", [0, 0, 101], "a page holds at most 100 records"],
      ["attestation_contributions", [0, 0, 1, HASH, 1], "too many params: expected at most 4"],
      ["attestation_measured", [0, 0], "param 2: expected a non-negative integer id"],
      ["attestation_measured", [0, 0, -2], "expected a non-negative integer id"],
      ["attestation_measured", [0, 2 ** 32, 0], "a window number is at most 4294967295"],
    ] as const) {
      const answer = await send(rpc, method, [...params]);
      const what = `${method} ${JSON.stringify(params)}`;
      assert.equal(answer.error?.code, -32602, what);
      assert.match(String(answer.error?.data), new RegExp(message), what);
    }
    assert.equal(rpc.node.calls.length, served, "no refused call reached the node");
  });
});

describe("attestation_measured is unsafe", () => {
  const measured = { jsonrpc: "2.0", id: 1, method: "attestation_measured", params: [0, 0, 1] };
  const dispatcher = (listensOnLoopback: boolean) => {
    const node = createFakeNode();
    const registry = new MethodRegistry();
    registerNodeMethods(registry, node.api);
    const d = new RpcDispatcher(registry, {
      allowUnsafe: allowsUnsafeMethods("auto", listensOnLoopback),
      maxBatchLength: 10,
      maxResponseBytes: 64 * 1024,
    });
    return { node, d };
  };
  const ask = async (d: RpcDispatcher, body: unknown) =>
    JSON.parse(
      (await d.handleText(JSON.stringify(body), { transport: "http", subscriptions: null })).body ??
        "null",
    );

  it("is refused on an external interface without reaching the node, and listed", async () => {
    const { node, d } = dispatcher(false);
    assert.deepEqual(await ask(d, measured), {
      jsonrpc: "2.0",
      error: { code: -32601, message: "RPC call is unsafe to be called externally" },
      id: 1,
    });
    assert.deepEqual(node.calls, []);
    const listed = await ask(d, { jsonrpc: "2.0", id: 2, method: "rpc_methods" });
    assert.ok(listed.result.methods.includes("attestation_measured"));
    // The other attestation_* reads are safe.
    const window = { jsonrpc: "2.0", id: 3, method: "attestation_window", params: [0, 0] };
    assert.deepEqual(await ask(d, window), { jsonrpc: "2.0", result: null, id: 3 });
  });

  it("is served on loopback", async () => {
    const { node, d } = dispatcher(true);
    assert.deepEqual(await ask(d, measured), { jsonrpc: "2.0", result: null, id: 1 });
    assert.deepEqual(node.calls, [{ method: "attestation_measured", args: [0, 0, 1, undefined] }]);
  });
});
