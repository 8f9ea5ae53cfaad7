// `lineage devnet`: validators on 127.0.0.1 that find each other, a manifest with their RPC URLs
// and PIDs, logs prefixed with each node's name, and Ctrl-C stopping them all with status 0.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";
import { HttpRpcClient } from "../../rpc/client.ts";
import { MAIN, tempDir } from "./fixtures/node-process.ts";

const WAIT_MS = 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("lineage devnet", () => {
  const dir = tempDir("lineage-e2e-devnet-");
  after(() => dir.remove());

  it("starts two validators that finalize together and stops them all on SIGINT", async () => {
    const child = spawn(
      process.execPath,
      [MAIN, "devnet", "--validators", "2", "--slot-duration", "1000", "--base-path", dir.path],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const lines: string[] = [];
    const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
    createInterface({ input: child.stdout! }).on("line", (line) => {
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (w.re.test(line)) w.resolve(line);
        else waiters.push(w);
      }
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code)),
    );
    const waitFor = (re: RegExp) =>
      new Promise<string>((resolve, reject) => {
        const seen = lines.find((line) => re.test(line));
        if (seen) return resolve(seen);
        const timer = setTimeout(() => reject(new Error(`no line matching ${re}`)), WAIT_MS);
        timer.unref();
        waiters.push({
          re,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    try {
      await waitFor(/^Nodes written to /);
      const manifest = JSON.parse(readFileSync(join(dir.path, "devnet.json"), "utf8")) as {
        nodes: { name: string; pid: number; rpc: string; http: string; peerId: string }[];
      };
      assert.deepEqual(
        manifest.nodes.map((n) => n.name),
        ["alice", "bob"],
      );
      for (const node of manifest.nodes) {
        assert.ok(alive(node.pid), `${node.name} runs`);
        assert.match(node.rpc, /^ws:\/\/127\.0\.0\.1:\d+$/);
        assert.ok(
          lines.some((line) => line.startsWith(`${node.name}: ${node.rpc} (pid ${node.pid})`)),
        );
      }
      // Both logs stream with a prefix, and the two finalize together (2 of 2 needed).
      await waitFor(/^\[alice\] .*finalized #[1-9]/);
      await waitFor(/^\[bob\] .*finalized #[1-9]/);
      const bob = new HttpRpcClient(manifest.nodes[1]!.http, { timeoutMs: 10_000 });
      assert.equal((await bob.system.health()).peers, 1);
      assert.equal(await bob.system.localPeerId(), manifest.nodes[1]!.peerId);

      child.kill("SIGINT");
      assert.equal(await exited, 0);
      for (const node of manifest.nodes) assert.ok(!alive(node.pid), `${node.name} stopped`);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
