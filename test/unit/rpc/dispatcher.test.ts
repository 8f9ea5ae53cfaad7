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

describe("request ids", () => {
  const raw = async (text: string) => (await dispatcher(true).handleText(text, HTTP)).body;

  it("echoes a u64 id above 2^53 exactly, alone and in a batch", async () => {
    const big = "18446744073709551615";
    const one = `{"jsonrpc":"2.0","id":${big},"method":"echo","params":["x"]}`;
    assert.equal(await raw(one), `{"jsonrpc":"2.0","result":"x","id":${big}}`);
    const batch = `[${one},{"jsonrpc":"2.0","id":9007199254740993,"method":"nope"}]`;
    const body = (await raw(batch))!;
    assert.ok(body.includes(`"id":${big}`), body);
    assert.ok(body.includes(`"id":9007199254740993`), body);
  });

  it("echoes a number as written when a double would change its text, safe integers as they are", async () => {
    for (const id of ["1e3", "1.50", "-0", "7", "0"]) {
      const body = await raw(`{"jsonrpc":"2.0","id":${id},"method":"echo","params":["x"]}`);
      assert.equal(body, `{"jsonrpc":"2.0","result":"x","id":${id}}`, id);
    }
  });

  it("keeps numbers named id inside params as plain numbers", async () => {
    const body = await raw(
      `{"jsonrpc":"2.0","id":1,"method":"echo","params":[{"id":18446744073709551615}]}`,
    );
    // The echo method wants a string: the object is refused as a parameter, not crashed on.
    assert.match(body!, /"error":\{"code":-32602/);
  });
});
