import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createOriginCheck } from "../../../rpc/cors.ts";
import { allowsUnsafeMethods, isLoopbackHost } from "../../../rpc/policy.ts";
import { DEFAULT_CORS } from "../../../rpc/server-options.ts";

describe("unsafe method policy", () => {
  it("knows loopback hosts", () => {
    for (const host of [
      "127.0.0.1",
      "127.1.2.3",
      "::1",
      "[::1]",
      "localhost",
      "::ffff:127.0.0.1",
    ]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "example.com", "128.0.0.1"]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  it("auto serves unsafe methods on loopback only; safe never; unsafe always", () => {
    assert.equal(allowsUnsafeMethods("auto", true), true);
    assert.equal(allowsUnsafeMethods("auto", false), false);
    assert.equal(allowsUnsafeMethods("safe", true), false);
    assert.equal(allowsUnsafeMethods("safe", false), false);
    assert.equal(allowsUnsafeMethods("unsafe", true), true);
    assert.equal(allowsUnsafeMethods("unsafe", false), true);
  });
});

describe("CORS origin check", () => {
  it("allows the default local origins on any port and polkadot.js.org", () => {
    const allowed = createOriginCheck(DEFAULT_CORS);
    assert.equal(allowed("http://localhost:3000"), true);
    assert.equal(allowed("http://localhost"), true);
    assert.equal(allowed("https://127.0.0.1:8080"), true);
    assert.equal(allowed("https://polkadot.js.org"), true);
    assert.equal(allowed("https://evil.example"), false);
    assert.equal(allowed("http://localhost.evil.example"), false);
    assert.equal(allowed("https://polkadot.js.org.evil"), false);
  });

  it("lets requests without an Origin through (not a browser page)", () => {
    assert.equal(createOriginCheck(["https://a.example"])(undefined), true);
  });

  it("'all' or '*' disables the check", () => {
    assert.equal(createOriginCheck("all")("https://anything.example"), true);
    assert.equal(createOriginCheck(["*"])("https://anything.example"), true);
  });
});
