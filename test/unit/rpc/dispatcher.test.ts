// JSON-RPC framing without sockets, including the unsafe-method policy of an external listener.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as v from "valibot";
import { RpcDispatcher } from "../../../rpc/dispatcher.ts";
import type { CallContext } from "../../../rpc/method-registry.ts";
import { MethodRegistry } from "../../../rpc/method-registry.ts";
import { params } from "../../../rpc/methods/params.ts";
import { registerRpcMethods } from "../../../rpc/methods/system.ts";
import { allowsUnsafeMethods } from "../../../rpc/policy.ts";

const HTTP: CallContext = { transport: "http", subscriptions: null };

function registry(): MethodRegistry {
  const r = new MethodRegistry()
    .method({ name: "echo", params: params([v.string()]), handler: ([s]) => s })
    .method({
      name: "author_rotateKeys",
      unsafe: true,
      params: params([]),
      handler: () => "0xkeys",
    });
  registerRpcMethods(r);
  return r;
}

function dispatcher(listensOnLoopback: boolean, mode: "auto" | "safe" | "unsafe" = "auto") {
  return new RpcDispatcher(registry(), {
    allowUnsafe: allowsUnsafeMethods(mode, listensOnLoopback),
    maxBatchLength: 10,
    maxResponseBytes: 1024,
  });
}

async function ask(d: RpcDispatcher, body: unknown): Promise<unknown> {
  const outcome = await d.handleText(JSON.stringify(body), HTTP);
  return outcome.body === undefined ? undefined : JSON.parse(outcome.body);
}

const rotate = { jsonrpc: "2.0", id: 1, method: "author_rotateKeys", params: [] };

describe("unsafe methods on an external interface", () => {
  it("auto on a non-loopback address denies them with -32601 and Substrate's message", async () => {
    assert.deepEqual(await ask(dispatcher(false), rotate), {
      jsonrpc: "2.0",
      error: { code: -32601, message: "RPC call is unsafe to be called externally" },
      id: 1,
    });
  });

  it("auto on loopback serves them", async () => {
    assert.deepEqual(await ask(dispatcher(true), rotate), {
      jsonrpc: "2.0",
      result: "0xkeys",
      id: 1,
    });
  });

  it("unsafe serves them externally; safe denies them locally", async () => {
    assert.deepEqual(await ask(dispatcher(false, "unsafe"), rotate), {
      jsonrpc: "2.0",
      result: "0xkeys",
      id: 1,
    });
    const denied = (await ask(dispatcher(true, "safe"), rotate)) as { error: { code: number } };
    assert.equal(denied.error.code, -32601);
  });

  it("rpc_methods lists unsafe methods even where they are denied", async () => {
    const reply = (await ask(dispatcher(false), {
      jsonrpc: "2.0",
      id: 2,
      method: "rpc_methods",
    })) as {
      result: { methods: string[] };
    };
    assert.deepEqual(reply.result.methods, ["author_rotateKeys", "echo", "rpc_methods"]);
  });
});

describe("response size limit", () => {
  it("replaces an oversized response with -32008", async () => {
    const reply = await ask(dispatcher(true), {
      jsonrpc: "2.0",
      id: 3,
      method: "echo",
      params: ["x".repeat(2000)],
    });
    assert.deepEqual(reply, {
      jsonrpc: "2.0",
      error: { code: -32008, message: "Response is too big", data: "Exceeded max limit of 1024" },
      id: 3,
    });
  });
});

describe("registry", () => {
  it("refuses a name registered twice", () => {
    const r = new MethodRegistry().method({ name: "a", params: params([]), handler: () => 1 });
    assert.throws(() => r.method({ name: "a", params: params([]), handler: () => 2 }), /twice/);
  });
});
