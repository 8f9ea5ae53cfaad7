// A p2p port another process holds stops the network with one line and a stable code, not
// libp2p's multi-line report with a stack trace per address.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { NetworkError } from "../../../node/network/errors.ts";
import { startNode } from "./fixtures.ts";

describe("network listen errors", () => {
  it("names a port already in use", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await assert.rejects(
        startNode("busy", 7, { listenAddresses: [`/ip4/127.0.0.1/tcp/${port}`] }),
        (error) => {
          assert.ok(error instanceof NetworkError, String(error));
          assert.equal(error.code, "PORT_IN_USE");
          assert.equal(
            error.message,
            `the p2p address 127.0.0.1:${port} is already in use (another node?): choose another --port or --listen-addr, or stop the other process`,
          );
          return true;
        },
      );
    } finally {
      server.close();
    }
  });
});
