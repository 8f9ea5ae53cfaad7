// Lineage nodes as child processes for the network benchmarks: started with `node node/main.ts`
// on 127.0.0.1, their logs written to a file in the benchmark's temporary directory, reached over
// WebSocket RPC, and always stopped: SIGINT, then SIGKILL after a grace period, and SIGKILL from
// an exit hook should the benchmark itself die first.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { toHex } from "../../primitives/bytes.ts";
import { RpcClient } from "../../rpc/client.ts";

const LINEAGE_MAIN = fileURLToPath(new URL("../../node/main.ts", import.meta.url));
/** How long a node gets to stop on SIGINT before it is killed. */
const STOP_GRACE_MS = 5_000;
const RPC_POLL_MS = 25;

export interface NodeLaunch {
  name: string;
  /** `lineage` arguments (everything after `node/main.ts`). */
  args: string[];
  logFile: string;
}

/** A port the kernel says is free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A fresh node key (`--node-key`), so that the peer id is known before the node starts. */
export function randomNodeKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

export function nodeKeyArg(key: Uint8Array): string {
  return toHex(key).slice(2);
}

export class NodeProcess {
  readonly name: string;
  readonly logFile: string;
  /** `performance.now()` just before the spawn. */
  readonly spawnedAt: number;
  readonly exited: Promise<void>;
  readonly #child: ChildProcess;

  constructor(launch: NodeLaunch) {
    this.name = launch.name;
    this.logFile = launch.logFile;
    const log = openSync(launch.logFile, "a");
    this.spawnedAt = performance.now();
    try {
      // BENCH_NODE_LOG (e.g. `sync=debug,network=debug`) is passed on as every node's --log.
      const logFilters = process.env.BENCH_NODE_LOG;
      const args = [...launch.args, ...(logFilters ? ["--log", logFilters] : [])];
      this.#child = spawn(process.execPath, [LINEAGE_MAIN, ...args], {
        stdio: ["ignore", log, log],
      });
    } finally {
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.#child.once("exit", () => resolve());
      this.#child.once("error", () => resolve());
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  kill(): void {
    if (this.running) this.#child.kill("SIGKILL");
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.#child.kill("SIGINT");
    const timer = setTimeout(() => this.kill(), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Distinct WARN and ERROR lines of the node's log, without timestamps or scores. */
  warnings(max = 8): string[] {
    let text: string;
    try {
      text = readFileSync(this.logFile, "utf8");
    } catch {
      return [];
    }
    const distinct = new Set<string>();
    for (const line of text.split("\n")) {
      const match = /^\S+ \S+\s+(WARN|ERROR) (.*?)(?: \(score -?[\d.]+\))?$/.exec(line);
      if (match) distinct.add(`${match[1]} ${match[2]}`);
      if (distinct.size >= max) break;
    }
    return [...distinct];
  }

  /** The last lines of the node's log, for an error message. */
  logTail(lines = 15): string {
    try {
      const text = readFileSync(this.logFile, "utf8").trimEnd().split("\n");
      return text.slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }
}

/**
 * Every node one measurement starts. `stopAll` stops them; until then an exit hook and SIGINT and
 * SIGTERM handlers kill them, so that no node outlives the benchmark.
 */
export class NodeFleet {
  readonly nodes: NodeProcess[] = [];
  readonly #clients: RpcClient[] = [];
  readonly #onExit = () => {
    for (const node of this.nodes) node.kill();
  };
  readonly #onSignal = (signal: NodeJS.Signals) => {
    this.#onExit();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };

  constructor() {
    process.on("exit", this.#onExit);
    process.on("SIGINT", this.#onSignal);
    process.on("SIGTERM", this.#onSignal);
  }

  start(launch: NodeLaunch): NodeProcess {
    const node = new NodeProcess(launch);
    this.nodes.push(node);
    return node;
  }

  /** Connects to the node's RPC as soon as it listens; fails if the node exits or time runs out. */
  async connect(node: NodeProcess, url: string, deadline: number): Promise<RpcClient> {
    for (;;) {
      if (!node.running) {
        throw new Error(`${node.name} exited before its RPC came up:\n${node.logTail()}`);
      }
      try {
        const client = await RpcClient.connect(url);
        this.#clients.push(client);
        return client;
      } catch {
        if (performance.now() > deadline) {
          throw new Error(`${node.name}: no RPC at ${url} in time:\n${node.logTail()}`);
        }
        await sleep(RPC_POLL_MS);
      }
    }
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.#clients.splice(0).map((client) => client.close()));
    await Promise.all(this.nodes.map((node) => node.stop()));
    process.off("exit", this.#onExit);
    process.off("SIGINT", this.#onSignal);
    process.off("SIGTERM", this.#onSignal);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The header an RPC answer describes (shared with the e2e light client). */
export { headerFromRpc } from "../e2e/fixtures/rpc-light-client.ts";
